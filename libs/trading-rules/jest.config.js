/** @type {import('jest').Config} */
module.exports = {
  displayName: 'trading-rules',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // trading-signals (the reference the indicator spec checks against) ships ES modules only.
  transform: {
    '^.+\\.ts$': require('../../jest.preset.js').transform['^.+\\.ts$'],
    '/node_modules/trading-signals/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!trading-signals/)'],
};
