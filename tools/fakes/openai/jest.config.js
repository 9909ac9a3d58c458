/** @type {import('jest').Config} */
module.exports = {
  displayName: 'openai-fake',
  preset: '../../../jest.preset.js',
  rootDir: __dirname,
  moduleNameMapper: {
    '^@freeride/(contracts|trading-rules)$':
      '<rootDir>/../../../libs/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
