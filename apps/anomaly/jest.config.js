/** @type {import('jest').Config} */
module.exports = {
  displayName: 'anomaly',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  // test/config: fast checks of the committed Prometheus, Alertmanager, Kibana and Grafana files
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/config/**/*.spec.ts',
  ],
};
