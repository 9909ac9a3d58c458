/** @type {import('jest').Config} */
module.exports = {
  displayName: 'scale',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 60_000,
};
