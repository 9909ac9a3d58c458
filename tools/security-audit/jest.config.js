/** @type {import('jest').Config} */
module.exports = {
  displayName: 'security-audit',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testTimeout: 30000,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
