/** @type {import('jest').Config} */
module.exports = {
  displayName: 'ingest-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 240_000,
  globalSetup: '<rootDir>/../../libs/testing/src/es-global-setup.ts',
  globalTeardown: '<rootDir>/../../libs/testing/src/es-global-teardown.ts',
};
