/** @type {import('jest').Config} */
module.exports = {
  displayName: 'deploy-e2e',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  moduleNameMapper: {
    '^@freeride/([a-z-]+)$': '<rootDir>/../libs/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 240_000,
};
