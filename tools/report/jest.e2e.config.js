/** @type {import('jest').Config} */
module.exports = {
  displayName: 'report-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 600000,
};
