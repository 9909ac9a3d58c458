/**
 * Ready-made jest `globalTeardown` module: stops Elasticsearch only if the matching
 * `es-global-setup.ts` started it in this jest run.
 */
export { esGlobalTeardown as default } from './lib/elasticsearch';
