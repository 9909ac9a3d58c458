/**
 * Ready-made jest `globalSetup` module: ensures Elasticsearch runs and exports `ES_URL`.
 * Reference it by path (jest does not apply `moduleNameMapper` to global setup files):
 *
 * @example
 * // apps/<app>/jest.e2e.config.js
 * globalSetup: '<rootDir>/../../libs/testing/src/es-global-setup.ts',
 * globalTeardown: '<rootDir>/../../libs/testing/src/es-global-teardown.ts',
 */
export { esGlobalSetup as default } from './lib/elasticsearch';
