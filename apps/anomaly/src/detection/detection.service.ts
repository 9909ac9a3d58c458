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
  partitionOfKey,
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

/**
 * Reads this instance's partitions of the log and metric record streams,
 * runs the anomaly engine on them and publishes what fires or resolves:
 * a document in `anomalies-*` and an alert in Alertmanager.
 */
@Injectable()
export class DetectionService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  /** One reader per partition: on a Redis Cluster a partition is one slot. */
  private readonly consumers: RecordStreamConsumer[] = [];
  /** The readers' own connections (a blocking read holds its connection). */
  private readonly readers: RedisClient[] = [];
  /**
   * One engine per partition: a partition holds whole services and is read
   * in order, so each engine's event time only moves forward with its own
   * records, however far another partition is ahead.
   */
  private readonly engines = new Map<number, AnomalyEngine>();
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
    const { kibanaUrl, runbookBaseUrl } = config.links;
    for (const partition of config.stream.partitions) {
      this.engines.set(
        partition,
        new AnomalyEngine({
          ...config.detection,
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
        }),
      );
    }
  }

  private engineOf(stream: string): AnomalyEngine | undefined {
    return this.engines.get(partitionOfKey(stream));
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
    for (const p of stream.partitions) {
      const reader = duplicateRedisClient(this.redis, {
        connectionName: `${stream.consumerName}-p${p}`,
      });
      reader.on('error', () => undefined); // reported by the loop's reads
      this.readers.push(reader);
      this.consumers.push(
        new RecordStreamConsumer(reader, {
          batch: stream.batch,
          blockMs: stream.blockMs,
          claimIdleMs: stream.claimIdleMs,
          consumer: stream.consumerName,
          group: ANOMALY_CONSUMER_GROUP,
          handle: (messages) => this.handle(messages),
          streams: [STREAM_KEYS.logRecords(p), STREAM_KEYS.metricPoints(p)],
        }),
      );
    }
    await this.restoreState();
    for (const consumer of this.consumers) {
      await consumer.ensureGroups();
      consumer.start((err) =>
        this.logger.error({ err }, 'record stream read failed'),
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
      { consumer: stream.consumerName, partitions: stream.partitions },
      'consuming record streams',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.saveState();
    for (const reader of this.readers) reader.disconnect();
    this.redis?.disconnect();
  }

  /** Loads each partition's saved detector state, so a restart keeps the vocabulary and warm-up. */
  private async restoreState(): Promise<void> {
    for (const [partition, engine] of this.engines) {
      try {
        const saved = await this.redis?.get(ANOMALY_STATE_KEY(partition));
        if (saved) engine.restore(JSON.parse(saved) as AnomalyEngineSnapshot);
      } catch (err) {
        // degrade to a cold start: the detectors re-learn
        this.logger.warn({ err, partition }, 'detector state not restored');
      }
    }
  }

  private async saveState(): Promise<void> {
    if (!this.redis) return;
    for (const [partition, engine] of this.engines) {
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

  private async handle(messages: StreamMessage[]): Promise<void> {
    // anomalies decided by a record are paged in that record's trace, so one
    // trace runs from the error line through the ingest to the page
    const decided: { events: AnomalyEvent[]; traceparent?: string }[] = [];
    for (const message of messages) {
      const isLog =
        message.stream ===
        STREAM_KEYS.logRecords(partitionOfKey(message.stream));
      const signal = isLog ? 'logs' : 'metrics';
      const engine = this.engineOf(message.stream);
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
      for (const consumer of this.consumers)
        for (const [stream, lag] of await consumer.lag())
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
