/** @type {import('jest').Config} */
module.exports = {
  displayName: 'stream-consumer',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
