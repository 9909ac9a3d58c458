import { STREAM_KEYS } from '@freeride/contracts';
import { BodyHandOff, RedisIngestStream } from '@freeride/ingest-delivery';
import type { OtlpSignal } from '@freeride/otlp';
import type { RedisClient } from '@freeride/redis-connection';

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

/** Per signal, its partitions' durable streams (`freeride:ingest:<signal>:{p<n>}`). */
export type IngestStreams = Record<OtlpSignal, readonly RedisIngestStream[]>;

/**
 * The durable streams: `INGEST_STREAM_PARTITIONS` per signal, sharing the
 * high-water mark and replica-acknowledgement settings. Each partition's
 * keys share one hash tag, so on a Redis Cluster a partition lives on one
 * slot and the partitions spread over the masters.
 */
export function createIngestStreams(
  redis: RedisClient,
  config: IngestConfig,
): IngestStreams {
  const { ackReplicas, ackTimeoutMs, highWaterBytes, partitions } =
    config.stream;
  // The indexer in this process reads what it accepted from memory, within
  // one bound for all the streams.
  const handOff =
    config.indexer.enabled && config.indexer.handOffBytes > 0
      ? new BodyHandOff(config.indexer.handOffBytes)
      : undefined;
  const make = (signal: OtlpSignal) =>
    Array.from(
      { length: partitions },
      (_, p) =>
        new RedisIngestStream(redis, {
          ackReplicas,
          ackTimeoutMs,
          handOff,
          highWaterBytes,
          key: STREAM_KEYS.ingest(signal, p),
          retryAfterSeconds: config.http.retryAfterSeconds,
        }),
    );
  return {
    logs: make('logs'),
    metrics: make('metrics'),
    traces: make('traces'),
  };
}

export const INGEST_STREAMS = Symbol('INGEST_STREAMS');
