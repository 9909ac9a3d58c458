/** @type {import('jest').Config} */
module.exports = {
  displayName: 'anomaly-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 240_000,
};
