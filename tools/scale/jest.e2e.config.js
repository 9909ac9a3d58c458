/** @type {import('jest').Config} */
module.exports = {
  displayName: 'scale-e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 300_000,
  // A fault phase that times out leaves its waits and loads running: exit once the tests are
  // done (@freeride/testing kills every process it started when Node exits).
  forceExit: true,
};
