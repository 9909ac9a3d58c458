import { z } from 'zod';

/**
 * One log record as the anomaly detector receives it: a flat subset of the
 * ECS document the indexer writes, published per record by the ingest's
 * fan-out to `freeride:records:logs:{<partition>}`.
 */
export const LogRecordEventSchema = z.object({
  /** ISO-8601 timestamp of the record. */
  '@timestamp': z.string(),
  /** Record attributes (flattened, string values). */
  attributes: z.record(z.string(), z.string()).default({}),
  /** ECS `log.level`, lower case (`error`, `warn`, `info`, `debug`, `trace`, `fatal`). */
  level: z.string(),
  message: z.string(),
  /** ECS `service.name`; `unknown_service` when the sender set none. */
  service: z.string(),
  /** OTLP severity number 1..24, 0 when unset. */
  severityNumber: z.number().int().min(0).max(24).default(0),
  spanId: z.string().optional(),
  traceId: z.string().optional(),
});
export type LogRecordEvent = z.infer<typeof LogRecordEventSchema>;

/**
 * One metric point as the anomaly detector receives it, published per point
 * to `freeride:records:metrics:{<partition>}`. Histograms are reduced to their
 * mean (`sum / count`) and count as two points (`<name>.mean`, `<name>.count`).
 */
export const MetricPointEventSchema = z.object({
  '@timestamp': z.string(),
  /** Point attributes (flattened, string values): part of the series key. */
  attributes: z.record(z.string(), z.string()).default({}),
  /** `gauge`, `sum` or `histogram`. */
  kind: z.enum(['gauge', 'sum', 'histogram']),
  name: z.string(),
  service: z.string(),
  unit: z.string().optional(),
  value: z.number(),
});
export type MetricPointEvent = z.infer<typeof MetricPointEventSchema>;

/**
 * Redis stream keys shared by producers and consumers. Partitioned keys
 * carry their partition as a hash tag (`{...}`), so that on a Redis Cluster
 * each partition (and its companion keys) lives on one slot.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export const STREAM_KEYS = {
  /**
   * Accepted OTLP payloads of one partition; `<signal>` is `logs`,
   * `traces` or `metrics`: `freeride:ingest:logs:{p0}`.
   */
  ingest: (signal: 'logs' | 'metrics' | 'traces', partition: number) =>
    `freeride:ingest:${signal}:{p${partition}}`,
  /** Per-record log events, partitioned by a hash of `service`: `freeride:records:logs:{3}`. */
  logRecords: (partition: number) => `freeride:records:logs:{${partition}}`,
  /** Per-point metric events, partitioned by a hash of `service`. */
  metricPoints: (partition: number) =>
    `freeride:records:metrics:{${partition}}`,
  /** Quote ticks published by the market-data gateway (see `quote.ts`). */
  quotes: 'freeride:quotes',
} as const;

/** FNV-1a partition of a key, so producers and consumers agree. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
