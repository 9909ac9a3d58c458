/** @type {import('jest').Config} */
module.exports = {
  displayName: 'backoff',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
