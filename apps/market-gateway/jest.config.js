/** @type {import('jest').Config} */
module.exports = {
  displayName: 'market-gateway',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
