import {
  type LogRecordEvent,
  type MetricPointEvent,
  STREAM_KEYS,
  partitionOf,
} from '@freeride/contracts';
import {
  RedisIngestStream,
  type StoredIngestEntry,
  decodeLegacyEntry,
} from '@freeride/ingest-delivery';
import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';
import {
  type LogsRequest,
  type MetricsRequest,
  toLogRecordEvents,
  toMetricPointEvents,
} from '@freeride/otlp';
import type { RedisClient } from '@freeride/redis-connection';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import {
  FANOUT_GROUP,
  INGEST_STREAMS,
  type IngestStreams,
  groupsFor,
} from '../otlp/ingest-streams';
import { REDIS_WRITER } from '../redis/redis.module';
import { StreamWorkers, partitionJobs } from '../stream/stream-workers';

type FanoutSignal = 'logs' | 'metrics';

/**
 * The fan-out consumer group: publishes every accepted log record and metric
 * point to per-record streams partitioned by service, for the anomaly
 * detector. These streams are capped (approximate MAXLEN): detection is
 * best-effort and must never hold back the durable path.
 */
@Injectable()
export class FanoutService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(FanoutService.name);
  private readonly published: Counter<'signal'>;
  private readonly workers: StreamWorkers;

  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(INGEST_STREAMS) private readonly streams: IngestStreams,
    @Inject(REDIS_WRITER) redis: RedisClient,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    this.workers = new StreamWorkers(redis, 'ingest-fanout');
    this.published = new Counter({
      help: 'Records published to the anomaly streams',
      labelNames: ['signal'],
      name: `${metricsPrefix}fanout_published_total`,
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.fanout.enabled) return;
    this.workers.start(
      partitionJobs<FanoutSignal>(this.streams, ['logs', 'metrics']),
      (job, stream, client) => this.run(job.signal, client, stream),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.workers.stop(this.config.shutdownDrainMs);
  }

  private async run(
    signal: FanoutSignal,
    client: RedisClient,
    stream: RedisIngestStream,
  ): Promise<void> {
    while (this.workers.running) {
      try {
        await stream.ensureGroups(groupsFor(signal, this.config));
        break;
      } catch (err) {
        this.logger.warn(
          { err: { message: (err as Error).message }, signal },
          'fanout consumer groups not created; retrying',
        );
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
    await stream
      .reader(FANOUT_GROUP, this.config.indexer.consumerName, {
        blockMs: 1_000,
        claimIdleMs: this.config.indexer.claimIdleMs,
        count: 100,
      })
      .run({
        handle: (batch) =>
          this.publish(
            signal,
            client,
            batch.entries.map((e) => e.value),
          ),
        onError: (err) =>
          this.logger.warn(
            { err: { message: (err as Error).message }, signal },
            'fanout loop error; retrying',
          ),
        running: () => this.workers.running,
      });
  }

  private async publish(
    signal: FanoutSignal,
    client: RedisClient,
    batch: StoredIngestEntry[],
  ): Promise<void> {
    const { maxLen, partitions } = this.config.fanout;
    // One pipeline per record stream: on a Redis Cluster a pipeline must
    // stay on one slot, and each partition's stream has its own hash tag.
    const pipelines = new Map<string, ReturnType<RedisClient['pipeline']>>();
    let count = 0;
    for (const entry of batch) {
      let events: (LogRecordEvent | MetricPointEvent)[];
      try {
        events = this.eventsOf(signal, entry);
      } catch {
        continue; // the indexer quarantines entries that cannot be decoded
      }
      for (const event of events) {
        const p = partitionOf(event.service, partitions);
        const key =
          signal === 'logs'
            ? STREAM_KEYS.logRecords(p)
            : STREAM_KEYS.metricPoints(p);
        let pipeline = pipelines.get(key);
        if (!pipeline) {
          pipeline = client.pipeline();
          pipelines.set(key, pipeline);
        }
        pipeline.xadd(
          key,
          'MAXLEN',
          '~',
          maxLen,
          '*',
          'event',
          JSON.stringify(event),
          'traceparent',
          entry.traceparent ?? '',
        );
        count++;
      }
    }
    if (count > 0) {
      const results = await Promise.all(
        [...pipelines.values()].map(async (p) => (await p.exec()) ?? []),
      );
      const failed = results.flat().find(([err]) => err);
      if (failed) throw failed[0] as Error;
      this.published.inc({ signal }, count);
    }
  }

  /**
   * The entry's events: mapped at receipt and stored beside the documents,
   * or mapped now for an entry an earlier version wrote.
   */
  private eventsOf(
    signal: FanoutSignal,
    entry: StoredIngestEntry,
  ): (LogRecordEvent | MetricPointEvent)[] {
    if (entry.format === 'bulk-ndjson')
      return entry.events
        ? (JSON.parse(entry.events.toString('utf8')) as (
            LogRecordEvent | MetricPointEvent
          )[])
        : [];
    const request = decodeLegacyEntry(signal, entry);
    return signal === 'logs'
      ? toLogRecordEvents(request as LogsRequest)
      : toMetricPointEvents(request as MetricsRequest);
  }
}
