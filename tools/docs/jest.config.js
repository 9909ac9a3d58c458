/** @type {import('jest').Config} */
module.exports = {
  displayName: 'docs',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
