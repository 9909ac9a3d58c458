import { STREAM_KEYS } from '@freeride/contracts';
import { RedisIngestStream } from '@freeride/ingest-delivery';
import type { OtlpSignal } from '@freeride/otlp';

import type { Redis } from 'ioredis';

import type { IngestConfig } from '../config/ingest.config';

/** Consumer group that writes to Elasticsearch. */
export const INDEXER_GROUP = 'indexer';
/** Consumer group that fans records out to the anomaly streams. */
export const FANOUT_GROUP = 'fanout';

export const SIGNALS: readonly OtlpSignal[] = ['logs', 'traces', 'metrics'];

/** The OTLP/HTTP paths served: the only values of a `signal` metric label besides `unknown`. */
export const OTLP_SIGNALS: ReadonlySet<string> = new Set<string>(SIGNALS);

/** The groups that must acknowledge an entry of `signal` before it is trimmed. */
export function groupsFor(signal: OtlpSignal, config: IngestConfig): string[] {
  const fanout = config.fanout.enabled && signal !== 'traces';
  return fanout ? [INDEXER_GROUP, FANOUT_GROUP] : [INDEXER_GROUP];
}

/** One durable stream per signal, sharing the high-water mark setting. */
export function createIngestStreams(
  redis: Redis,
  config: IngestConfig,
): Record<OtlpSignal, RedisIngestStream> {
  const make = (signal: OtlpSignal) =>
    new RedisIngestStream(redis, {
      highWaterBytes: config.stream.highWaterBytes,
      key: STREAM_KEYS.ingest(signal),
      retryAfterSeconds: config.http.retryAfterSeconds,
    });
  return {
    logs: make('logs'),
    metrics: make('metrics'),
    traces: make('traces'),
  };
}

export const INGEST_STREAMS = Symbol('INGEST_STREAMS');
