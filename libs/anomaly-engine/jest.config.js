/** @type {import('jest').Config} */
module.exports = {
  displayName: 'anomaly-engine',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
