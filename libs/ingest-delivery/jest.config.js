/** @type {import('jest').Config} */
module.exports = {
  displayName: 'ingest-delivery',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
