/** @type {import('jest').Config} */
module.exports = {
  displayName: 'trading-rules',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
