/**
 * Attribute keys of the platform's own spans and metrics, all under
 * `freeride.*` so they never collide with semantic conventions.
 */
export const ATTR = {
  BATCH_SIZE: 'freeride.batch.size',
  DATA_STREAM: 'freeride.data_stream',
  INGEST_SIGNAL: 'freeride.ingest.signal',
  INGEST_SOURCE: 'freeride.ingest.source',
  OUTCOME: 'freeride.outcome',
  PROVIDER: 'freeride.provider',
  STREAM_ID: 'freeride.stream.id',
} as const;
