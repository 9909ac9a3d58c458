import { STREAM_KEYS, partitionOf } from '@freeride/contracts';
import type { LogRecordEvent, MetricPointEvent } from '@freeride/contracts';

import type { Cluster, Redis } from 'ioredis';

/** Partitions of the record streams, as the ingest's fan-out writes them. */
export const PARTITIONS = 4;

/**
 * Appends records to the partitioned streams the way the ingest's fan-out
 * does: one pipeline per stream, as a Redis Cluster needs.
 */
export async function pushRecords(
  redis: Redis | Cluster,
  records: Iterable<LogRecordEvent>,
  chunk = 2000,
): Promise<number> {
  const pipelines = new Map<string, ReturnType<Redis['pipeline']>>();
  const flush = async () => {
    for (const p of pipelines.values()) await p.exec();
    pipelines.clear();
  };
  let queued = 0;
  let total = 0;
  for (const record of records) {
    const key = STREAM_KEYS.logRecords(partitionOf(record.service, PARTITIONS));
    let pipeline = pipelines.get(key);
    if (!pipeline) {
      pipeline = redis.pipeline();
      pipelines.set(key, pipeline);
    }
    pipeline.xadd(
      key,
      '*',
      'event',
      JSON.stringify(record),
      'traceparent',
      `00-${record.traceId ?? '0'.repeat(31) + '1'}-${record.spanId ?? '0'.repeat(15) + '1'}-01`,
    );
    queued++;
    total++;
    if (queued >= chunk) {
      await flush();
      queued = 0;
    }
  }
  await flush();
  return total;
}

/** Appends metric points to the partitioned metric streams. */
export async function pushMetricPoints(
  redis: Redis,
  points: Iterable<MetricPointEvent>,
): Promise<number> {
  const pipeline = redis.pipeline();
  let total = 0;
  for (const point of points) {
    pipeline.xadd(
      STREAM_KEYS.metricPoints(partitionOf(point.service, PARTITIONS)),
      '*',
      'event',
      JSON.stringify(point),
    );
    total++;
  }
  await pipeline.exec();
  return total;
}

/** Pending entries and undelivered entries of the `anomaly` group, over all partitions. */
export async function groupBacklog(
  redis: Redis | Cluster,
): Promise<{ lag: number; pending: number }> {
  let lag = 0;
  let pending = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    for (const key of [
      STREAM_KEYS.logRecords(p),
      STREAM_KEYS.metricPoints(p),
    ]) {
      if ((await redis.exists(key)) === 0) continue;
      const groups = (await redis.xinfo('GROUPS', key)) as unknown[][];
      for (const group of groups) {
        const info = new Map<string, unknown>();
        for (let i = 0; i + 1 < group.length; i += 2)
          info.set(String(group[i]), group[i + 1]);
        if (info.get('name') !== 'anomaly') continue;
        lag += Number(info.get('lag') ?? 0);
        pending += Number(info.get('pending') ?? 0);
      }
    }
  }
  return { lag, pending };
}
