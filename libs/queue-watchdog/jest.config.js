/** @type {import('jest').Config} */
module.exports = {
  displayName: 'queue-watchdog',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
