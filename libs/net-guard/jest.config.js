/** @type {import('jest').Config} */
module.exports = {
  displayName: 'net-guard',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
