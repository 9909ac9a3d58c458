/** @type {import('jest').Config} */
module.exports = {
  displayName: 'scale-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 300_000,
};
