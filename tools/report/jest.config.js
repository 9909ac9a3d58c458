/** @type {import('jest').Config} */
module.exports = {
  displayName: 'report',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.spec.ts'],
};
