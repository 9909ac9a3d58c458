/** @type {import('jest').Config} */
module.exports = {
  displayName: 'deploy',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  moduleNameMapper: {
    '^@freeride/([a-z-]+)$': '<rootDir>/../libs/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  testTimeout: 120_000,
};
