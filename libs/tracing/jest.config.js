/** @type {import('jest').Config} */
module.exports = {
  displayName: 'tracing',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
