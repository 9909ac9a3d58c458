/** @type {import('jest').Config} */
module.exports = {
  displayName: 'rate-limit',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
