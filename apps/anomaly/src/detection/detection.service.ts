import {
  AnomalyEngine,
  buildDiscoverUrl,
  renderAnomalyChart,
} from '@freeride/anomaly-engine';
import type { AnomalyEngineSnapshot } from '@freeride/anomaly-engine';
import {
  LogRecordEventSchema,
  MetricPointEventSchema,
  STREAM_KEYS,
  partitionOf,
} from '@freeride/contracts';
import type { AnomalyEvent, MetricPointEvent } from '@freeride/contracts';
import {
  HealthRegistry,
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  registerRedisHealth,
} from '@freeride/observability';
import type { ResolvedObservabilityOptions } from '@freeride/observability';
import {
  type RedisClient,
  createRedisClient,
  duplicateRedisClient,
} from '@freeride/redis-connection';
import { PartitionLeases } from '@freeride/stream-consumer';
import { ATTR, contextFromTraceparent, withSpan } from '@freeride/tracing';

import type {
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';

import { AlertingService } from '../alerting/alerting.service';
import { AnomalyStoreService } from '../anomalies/anomaly-store.service';
import { ANOMALY_CONFIG } from '../config/anomaly.config';
import type { AnomalyConfig } from '../config/anomaly.config';
import { RecordStreamConsumer } from '../stream/record-stream.consumer';
import type { StreamMessage } from '../stream/record-stream.consumer';
import { AnomalyMetrics } from './anomaly.metrics';

/** Redis key of the saved detector state of one partition (its own hash tag). */
export const ANOMALY_STATE_KEY = (partition: number) =>
  `freeride:anomaly:state:{${partition}}`;

/** Metric anomalies whose charts stay available after they resolve. */
const CHARTED_ANOMALIES = 1000;

/** Consumer group of every anomaly instance on the record streams. */
export const ANOMALY_CONSUMER_GROUP = 'anomaly';

/** Redis key of partition `p`'s lease (leases assignment); its own hash tag. */
export const ANOMALY_LEASE_KEY = (partition: number) =>
  `freeride:anomaly:lease:{${partition}}`;

/** Redis key of the live anomaly instances' heartbeats. */
export const ANOMALY_MEMBERS_KEY = 'freeride:anomaly:members';

/** One partition this instance reads: its engine, reader and connection. */
interface OwnedPartition {
  consumer?: RecordStreamConsumer;
  engine: AnomalyEngine;
  reader?: RedisClient;
}

/**
 * Reads this instance's partitions of the log and metric record streams,
 * runs the anomaly engine on them and publishes what fires or resolves:
 * a document in `anomalies-*` and an alert in Alertmanager.
 *
 * With `leases` (the default) the instances share the partitions
 * dynamically ({@link PartitionLeases}): a partition's detector state is
 * saved to Redis when it is given up and restored by its next owner, so it
 * moves with the partition; a killed instance's partitions are taken over
 * after the lease expires, resuming at the entries it had not acknowledged.
 */
@Injectable()
export class DetectionService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  /**
   * One engine per partition: a partition holds whole services and is read
   * in order, so each engine's event time only moves forward with its own
   * records, however far another partition is ahead. On a Redis Cluster a
   * partition is one slot, read by its own reader.
   */
  private readonly owned = new Map<number, OwnedPartition>();
  /**
   * Engines of partitions whose lease this instance lost (not saved: a new
   * owner may already run on the saved state). Taken back when this
   * instance gets the partition again in the same lease round and nobody
   * saved a newer state; dropped at the end of that round.
   */
  private readonly lost = new Map<number, AnomalyEngine>();
  private leases: PartitionLeases | undefined;
  private readonly logger = new Logger(DetectionService.name);
  private readonly metrics: AnomalyMetrics;
  private redis: RedisClient | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  /** Metric anomalies whose chart can be served, most recent last (bounded). */
  private readonly charted = new Map<
    string,
    { engine: AnomalyEngine; metric: string; service: string }
  >();

  constructor(
    @Inject(ANOMALY_CONFIG) private readonly config: AnomalyConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS) observability: ResolvedObservabilityOptions,
    private readonly alerting: AlertingService,
    private readonly store: AnomalyStoreService,
    private readonly health: HealthRegistry,
  ) {
    this.metrics = new AnomalyMetrics(registry, observability.metricsPrefix);
    const { stream } = config;
    // Without leases the partitions are known from the start.
    if (stream.assignment === 'static' || !stream.enabled)
      for (const partition of stream.partitions)
        this.owned.set(partition, { engine: this.newEngine() });
  }

  private newEngine(): AnomalyEngine {
    const { kibanaUrl, runbookBaseUrl } = this.config.links;
    return new AnomalyEngine({
      ...this.config.detection,
      links: ({ from, kind, service, to }) => ({
        discover: buildDiscoverUrl({
          dataViewId: 'freeride-logs',
          from,
          kibanaUrl,
          service,
          to,
        }),
        runbook: `${runbookBaseUrl.replace(/\/+$/, '')}/${kind}.md`,
      }),
    });
  }

  private get engines(): Map<number, AnomalyEngine> {
    return new Map([...this.owned].map(([p, { engine }]) => [p, engine]));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { stream } = this.config;
    if (!stream.enabled) return;
    this.redis = createRedisClient(this.config.redis.url, {
      maxRetriesPerRequest: null,
    });
    this.redis.on('error', (err: Error) =>
      this.logger.warn({ err: { message: err.message } }, 'redis error'),
    );
    registerRedisHealth(this.health, this.redis);
    if (stream.assignment === 'static') {
      for (const p of stream.partitions) await this.startPartition(p);
    } else {
      this.leases = new PartitionLeases(this.redis, {
        leaseKey: ANOMALY_LEASE_KEY,
        leaseMs: stream.leaseMs,
        membersKey: ANOMALY_MEMBERS_KEY,
        onAcquire: (p) => this.startPartition(p),
        // A lost engine is taken back in the round it was lost in, or never.
        onChange: () => this.lost.clear(),
        onRelease: (p, reason) => this.stopPartition(p, reason),
        owner: stream.consumerName,
        partitions: stream.partitionCount,
      });
      await this.leases.start((err) =>
        this.logger.warn({ err }, 'partition leases not renewed; retrying'),
      );
    }
    this.timers.push(
      setInterval(() => void this.onTick(), 1000),
      setInterval(
        () => void this.repostFiring(),
        this.config.alertmanager.repostMs,
      ),
      setInterval(() => void this.updateLag(), 5000),
      setInterval(() => void this.saveState(), stream.snapshotMs),
    );
    this.logger.log(
      {
        assignment: stream.assignment,
        consumer: stream.consumerName,
        partitions: [...this.owned.keys()],
      },
      'consuming record streams',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    if (this.leases) await this.leases.stop();
    else
      for (const p of [...this.owned.keys()])
        await this.stopPartition(p, 'stop');
    this.redis?.disconnect();
  }

  /**
   * Starts reading partition `p`: its detector state restored from Redis
   * (vocabulary and warm-up, saved by the previous owner or before a
   * restart), then its own pending entries first. With leases the group
   * consumer is named after the partition, so a new owner resumes exactly
   * where a killed one stopped acknowledging.
   */
  private async startPartition(p: number): Promise<void> {
    const { stream } = this.config;
    const redis = this.redis!;
    const engine = this.owned.get(p)?.engine ?? (await this.engineOf(p));
    const consumerName =
      stream.assignment === 'static' ? stream.consumerName : `anomaly-p${p}`;
    const reader = duplicateRedisClient(redis, {
      connectionName: `${stream.consumerName}-p${p}`,
    });
    reader.on('error', () => undefined); // reported by the loop's reads
    const consumer = new RecordStreamConsumer(reader, {
      batch: stream.batch,
      blockMs: stream.blockMs,
      claimIdleMs: stream.claimIdleMs,
      consumer: consumerName,
      group: ANOMALY_CONSUMER_GROUP,
      handle: (messages) => this.handle(p, messages),
      streams: [STREAM_KEYS.logRecords(p), STREAM_KEYS.metricPoints(p)],
    });
    this.owned.set(p, { consumer, engine, reader });
    try {
      await consumer.ensureGroups();
    } catch (err) {
      reader.disconnect();
      this.owned.delete(p);
      throw err;
    }
    consumer.start((err) =>
      this.logger.error({ err, partition: p }, 'record stream read failed'),
    );
    if (this.leases) this.logger.log({ partition: p }, 'partition taken over');
  }

  /**
   * Stops reading partition `p` after the batch in flight and saves its
   * state for the next owner (not when the lease was lost: the new owner
   * may already run on the saved state).
   */
  private async stopPartition(
    p: number,
    reason: 'lost' | 'rebalance' | 'stop',
  ): Promise<void> {
    const owned = this.owned.get(p);
    if (!owned) return;
    await owned.consumer?.stop();
    if (reason !== 'lost') await this.saveState(p);
    else this.lost.set(p, owned.engine);
    owned.reader?.disconnect();
    if (this.leases) {
      this.owned.delete(p);
      for (const [key, chart] of this.charted)
        if (chart.engine === owned.engine) this.charted.delete(key);
      this.logger.log({ partition: p, reason }, 'partition given up');
    }
  }

  /**
   * The engine of a partition being taken: its saved detector state
   * restored (vocabulary and warm-up), or, when this instance lost the
   * lease and gets it back before anyone saved a newer state (a pause
   * longer than the lease), the engine it had, which has seen the records
   * it read since its last save.
   */
  private async engineOf(partition: number): Promise<AnomalyEngine> {
    let kept = this.lost.get(partition);
    this.lost.delete(partition);
    // an engine that read nothing has nothing to keep
    if (kept && !Number.isFinite(kept.eventTimeMs)) kept = undefined;
    try {
      const text = await this.redis?.get(ANOMALY_STATE_KEY(partition));
      const saved = text
        ? (JSON.parse(text) as AnomalyEngineSnapshot)
        : undefined;
      if (kept && !((saved?.eventTimeMs ?? -Infinity) > kept.eventTimeMs))
        return kept;
      const engine = this.newEngine();
      if (saved) engine.restore(saved);
      return engine;
    } catch (err) {
      // degrade to the engine it had, or a cold start: the detectors re-learn
      this.logger.warn({ err, partition }, 'detector state not restored');
      return kept ?? this.newEngine();
    }
  }

  /** Saves the detector state of one partition, or of every owned one. */
  private async saveState(only?: number): Promise<void> {
    if (!this.redis) return;
    const partitions = only === undefined ? [...this.owned.keys()] : [only];
    for (const partition of partitions) {
      const engine = this.owned.get(partition)?.engine;
      if (!engine) continue;
      try {
        await this.redis.set(
          ANOMALY_STATE_KEY(partition),
          JSON.stringify(engine.snapshot()),
        );
      } catch (err) {
        this.logger.warn({ err, partition }, 'detector state not saved');
      }
    }
  }

  /** Anomalies firing now. */
  firing(): AnomalyEvent[] {
    return [...this.engines.values()].flatMap((engine) =>
      engine.firingAnomalies(),
    );
  }

  /**
   * A PNG chart of a metric anomaly's series (expected band, observed values,
   * anomalous points) while it fires and for the last
   * {@link CHARTED_ANOMALIES} metric anomalies after, or undefined.
   */
  chart(key: string): Buffer | undefined {
    const found = this.charted.get(key);
    if (!found) return undefined;
    const points = found.engine.metricChart(found.service, found.metric);
    if (points === undefined || points.length === 0) return undefined;
    return renderAnomalyChart(points, {
      title: `${found.metric} of ${found.service}`,
    });
  }

  /** Feeds a metric sample read from Prometheus, when its service is on one of this instance's partitions. */
  async observeMetric(point: MetricPointEvent): Promise<void> {
    const engine = this.engines.get(
      partitionOf(point.service, this.config.stream.partitionCount),
    );
    if (!engine) return;
    this.metrics.records.inc({ outcome: 'ok', signal: 'prometheus' });
    await this.publish(engine.observeMetric(point));
  }

  private async handle(
    partition: number,
    messages: StreamMessage[],
  ): Promise<void> {
    // anomalies decided by a record are paged in that record's trace, so one
    // trace runs from the error line through the ingest to the page
    const decided: { events: AnomalyEvent[]; traceparent?: string }[] = [];
    for (const message of messages) {
      const isLog = message.stream === STREAM_KEYS.logRecords(partition);
      const signal = isLog ? 'logs' : 'metrics';
      const engine = this.owned.get(partition)?.engine;
      if (!engine) continue;
      let json: unknown;
      try {
        json = JSON.parse(message.event);
      } catch {
        json = undefined;
      }
      const parsed = isLog
        ? LogRecordEventSchema.safeParse(json)
        : MetricPointEventSchema.safeParse(json);
      if (!parsed.success) {
        this.metrics.records.inc({ outcome: 'invalid', signal });
        continue;
      }
      this.metrics.records.inc({ outcome: 'ok', signal });
      const clampedBefore = engine.stats.eventTimeClamped;
      const events =
        'level' in parsed.data
          ? engine.observeLog(parsed.data)
          : engine.observeMetric(parsed.data);
      if (engine.stats.eventTimeClamped > clampedBefore) {
        this.metrics.eventTimeClamped.inc({ signal });
      }
      if (events.length > 0) {
        decided.push({ events, traceparent: message.traceparent });
      }
    }
    for (const { events, traceparent } of decided) {
      await withSpan(
        'anomaly page',
        { [ATTR.BATCH_SIZE]: events.length },
        () => this.publish(events),
        contextFromTraceparent(traceparent),
      );
    }
    // A batch that paged: its state is saved before the batch is
    // acknowledged, so an owner taking over after a kill knows what paged.
    if (decided.length > 0) await this.saveState(partition);
  }

  private async onTick(): Promise<void> {
    const times = [...this.engines.values()]
      .map((engine) => engine.eventTimeMs)
      .filter((t) => !Number.isNaN(t));
    if (times.length > 0) {
      this.metrics.eventTimeLag.set((Date.now() - Math.min(...times)) / 1000);
    }
    await this.publish(
      [...this.engines.values()].flatMap((engine) => engine.tick()),
    );
  }

  private async repostFiring(): Promise<void> {
    const firing = this.firing();
    this.metrics.firing.reset();
    for (const event of firing) this.metrics.firing.inc({ kind: event.kind });
    if (firing.length === 0) return;
    try {
      await this.alerting.post(firing);
      this.metrics.alertsPosted.inc(
        { outcome: 'ok', status: 'firing' },
        firing.length,
      );
    } catch (err) {
      this.metrics.alertsPosted.inc(
        { outcome: 'failed', status: 'firing' },
        firing.length,
      );
      this.logger.warn({ err }, 're-posting firing alerts failed');
    }
  }

  private async updateLag(): Promise<void> {
    try {
      for (const { consumer } of this.owned.values())
        for (const [stream, lag] of (await consumer?.lag()) ?? [])
          this.metrics.streamLag.set({ stream }, lag);
    } catch (err) {
      this.logger.debug({ err }, 'stream lag unavailable');
    }
  }

  /**
   * Pages first, then stores: an Elasticsearch outage must not delay a page.
   * Failures degrade visibly (warn log + counter) and never stall the stream;
   * firing alerts are re-posted on a timer, so a missed post heals.
   */
  private rememberChart(event: AnomalyEvent): void {
    if (event.kind !== 'metric' || event.metric === undefined) return;
    const engine = this.engines.get(
      partitionOf(event.service, this.config.stream.partitionCount),
    );
    if (!engine) return;
    this.charted.delete(event.key);
    this.charted.set(event.key, {
      engine,
      metric: event.metric,
      service: event.service,
    });
    if (this.charted.size > CHARTED_ANOMALIES) {
      const oldest = this.charted.keys().next();
      if (oldest.done !== true) this.charted.delete(oldest.value);
    }
  }

  private async publish(events: AnomalyEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) {
      this.rememberChart(event);
      this.metrics.anomalies.inc({
        kind: event.kind,
        severity: event.severity,
        status: event.status,
      });
      this.logger.log(
        {
          anomaly: {
            key: event.key,
            kind: event.kind,
            score: event.score,
            status: event.status,
          },
          service: { name: event.service },
        },
        'anomaly state changed',
      );
    }
    const [posted, stored] = await Promise.allSettled([
      this.alerting.post(events),
      this.store.write(events),
    ]);
    for (const status of ['firing', 'resolved'] as const) {
      const count = events.filter((e) => e.status === status).length;
      if (count > 0)
        this.metrics.alertsPosted.inc(
          { outcome: posted.status === 'fulfilled' ? 'ok' : 'failed', status },
          count,
        );
    }
    if (posted.status === 'rejected') {
      this.logger.warn(
        { err: posted.reason as unknown },
        'posting alerts failed',
      );
    }
    if (stored.status === 'rejected') {
      this.metrics.documents.inc({ outcome: 'failed' }, events.length);
      this.logger.warn(
        { err: stored.reason as unknown },
        'writing anomaly documents failed',
      );
    } else {
      this.metrics.documents.inc({ outcome: 'ok' }, stored.value);
    }
  }
}
