/** @type {import('jest').Config} */
module.exports = {
  displayName: 'market-data',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
