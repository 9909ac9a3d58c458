export * from './lib/bulk-item-outcome';
export * from './lib/es-bulk-indexer';
export * from './lib/ingest.errors';
export * from './lib/redis-ingest-stream';
export * from './lib/index-templates';
export * from './lib/legacy-entry';
export * from './lib/dead-letter';
export * from './lib/source-policy';
