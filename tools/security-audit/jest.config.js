/** @type {import('jest').Config} */
module.exports = {
  displayName: 'security-audit',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
