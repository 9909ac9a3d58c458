import type {
  AnomalyEvent,
  LogRecordEvent,
  MetricPointEvent,
} from '@freeride/contracts';
import {
  DEFAULT_METRIC_LEARNING_POINTS,
  ErrorShareDetector,
  METRIC_ALERT_SCORE,
  evictLru,
} from '@freeride/detectors';
import type { LogAnomaly } from '@freeride/detectors';

import type { ChartPoint } from '../chart/anomaly-chart';
import { FlapSuppressor } from '../flap/flap-suppressor';
import { anomalyEventBuilder } from './anomaly-event';
import type { AnomalyLinkBuilder } from './anomaly-event';
import { restoreServices, snapshotServices } from './engine-snapshot';
import type { AnomalyEngineSnapshot } from './engine-snapshot';
import { EventClock } from './event-clock';
import { Findings, pushSample } from './findings';
import { FiringAnomalies } from './firing-anomalies';
import { MetricSeriesRegistry } from './metric-series';
import {
  MAX_TEMPLATES_PER_SERVICE,
  ServiceLogStates,
} from './service-log-state';
import type { ServiceState } from './service-log-state';

export { DEFAULT_METRIC_LEARNING_POINTS };
export type { AnomalyLinkBuilder, AnomalyLinks } from './anomaly-event';
export type { AnomalyEngineSnapshot } from './engine-snapshot';

/** Options of {@link AnomalyEngine}. Durations are event time unless noted. */
export interface AnomalyEngineOptions {
  /**
   * Width of the detectors' time buckets (log rate, error share).
   * @default 60_000
   */
  readonly bucketMs?: number;
  /**
   * How often anomalies are evaluated and fire or resolve.
   * @default 10_000
   */
  readonly evaluateEveryMs?: number;
  /**
   * Wall-clock idle time after which event time advances with the wall clock,
   * so an anomaly resolves when its source went quiet altogether.
   * @default 15_000
   */
  readonly idleAdvanceAfterMs?: number;
  /** See {@link FlapSuppressor}. @default 60_000 */
  readonly keepFiringForMs?: number;
  /** Builds the links of an anomaly for a service and an event-time window. */
  readonly links: AnomalyLinkBuilder;
  /**
   * Points a metric series learns from before it is scored.
   * @default 100
   */
  readonly metricLearningPoints?: number;
  /**
   * Smallest log detector score that counts as anomalous (0.999 is about
   * 3.3 standard deviations).
   * @default 0.999
   */
  readonly minScore?: number;
  /**
   * Smallest metric detector score that counts as anomalous.
   * @default METRIC_ALERT_SCORE (0.5)
   */
  readonly minMetricScore?: number;
  /**
   * Log buckets a template or service must have been seen before rate and
   * error-share shifts are flagged.
   * @default 10
   */
  readonly minBaselineBuckets?: number;
  /**
   * Warm-up of the new-template detector per service.
   * @default 3_600_000
   */
  readonly newTemplateWarmupMs?: number;
  /**
   * Fewest errors in a bucket for an error-share shift to count (a noise
   * floor: 7 errors among 50 records is not an incident).
   * @default 10
   */
  readonly minErrorCount?: number;
  /**
   * Fewest records in a bucket for a rate burst to count.
   * @default 10
   */
  readonly minBurstCount?: number;
  /**
   * A record dated more than this far after the receiver's wall clock does
   * not move event time: it is processed at the current event time and
   * counted in `stats.eventTimeClamped`. Unbounded when not set (replays and
   * tests drive the engine with a synthetic wall clock).
   */
  readonly maxFutureSkewMs?: number;
  /**
   * Likewise for a record dated more than this long before the wall clock
   * (a 1970 timestamp must not become a fresh partition's event time).
   */
  readonly maxPastAgeMs?: number;
  /** See {@link FlapSuppressor}. @default 0 */
  readonly pendingMs?: number;
  /**
   * Consecutive empty buckets before a template counts as silent.
   * @default 2
   */
  readonly silenceBuckets?: number;
  /**
   * Sample log lines kept per anomaly.
   * @default 5
   */
  readonly samples?: number;
}

/** Counters of an engine, for metrics and the bench. */
export interface AnomalyEngineStats {
  anomaliesFired: number;
  anomaliesResolved: number;
  /** Records whose timestamp lay outside the wall-clock bounds (see `maxFutureSkewMs`). */
  eventTimeClamped: number;
  logRecords: number;
  metricPoints: number;
}

type Defaults = Required<
  Omit<AnomalyEngineOptions, 'links' | 'maxFutureSkewMs' | 'maxPastAgeMs'>
>;

const DEFAULTS: Defaults = {
  bucketMs: 60_000,
  evaluateEveryMs: 10_000,
  idleAdvanceAfterMs: 15_000,
  keepFiringForMs: 60_000,
  metricLearningPoints: DEFAULT_METRIC_LEARNING_POINTS,
  minBaselineBuckets: 10,
  minBurstCount: 10,
  minErrorCount: 10,
  minMetricScore: METRIC_ALERT_SCORE,
  minScore: 0.999,
  newTemplateWarmupMs: 3_600_000,
  pendingMs: 0,
  samples: 5,
  silenceBuckets: 2,
};

/** Most metric series tracked, to bound memory. */
const MAX_METRIC_SERIES = 10_000;
/** Last points of each metric series kept for the chart of its anomalies. */
const CHART_POINTS = 90;

/**
 * Runs the detectors of `@freeride/detectors` on the live streams of one
 * anomaly instance and turns their findings into firing and resolved
 * {@link AnomalyEvent}s, with flap control. Driven by event time (the
 * records' timestamps), so a replay at any speed gives the same anomalies;
 * only {@link AnomalyEngine.tick} looks at the wall clock, to move event time
 * on when every source went quiet.
 *
 * Per service (`ServiceLogStates`): template mining, new error templates,
 * per-template rate (burst, silence). Across services: error share. Per
 * metric series (`MetricSeriesRegistry`): the streaming metric detector.
 * Findings (`Findings`) become events through the flap suppressor
 * (`FiringAnomalies`); the event clock (`EventClock`) drives evaluation.
 */
export class AnomalyEngine {
  private readonly errorShare: ErrorShareDetector;
  private readonly findings = new Findings();
  private readonly firing: FiringAnomalies;
  private readonly flap: FlapSuppressor;
  private readonly series: MetricSeriesRegistry;
  private readonly options: Defaults &
    Pick<AnomalyEngineOptions, 'links' | 'maxFutureSkewMs' | 'maxPastAgeMs'>;
  private readonly services: ServiceLogStates;
  /** Counters since start. */
  readonly stats: AnomalyEngineStats = {
    anomaliesFired: 0,
    anomaliesResolved: 0,
    eventTimeClamped: 0,
    logRecords: 0,
    metricPoints: 0,
  };
  private readonly clock: EventClock;

  constructor(options: AnomalyEngineOptions) {
    this.options = { ...DEFAULTS, ...options };
    const o = this.options;
    this.errorShare = new ErrorShareDetector({
      bucketMs: o.bucketMs,
      minBaselineBuckets: o.minBaselineBuckets,
      minScore: o.minScore,
    });
    this.services = new ServiceLogStates({
      bucketMs: o.bucketMs,
      minBaselineBuckets: o.minBaselineBuckets,
      minScore: o.minScore,
      newTemplateWarmupMs: o.newTemplateWarmupMs,
      samples: o.samples,
    });
    this.clock = new EventClock(
      {
        evaluateEveryMs: o.evaluateEveryMs,
        idleAdvanceAfterMs: o.idleAdvanceAfterMs,
        maxFutureSkewMs: o.maxFutureSkewMs,
        maxPastAgeMs: o.maxPastAgeMs,
      },
      (atMs) => this.evaluate(atMs),
      () => this.stats.eventTimeClamped++,
    );
    this.series = new MetricSeriesRegistry({
      chartPoints: CHART_POINTS,
      learningPoints: o.metricLearningPoints,
      maxSeries: MAX_METRIC_SERIES,
      minScore: o.minMetricScore,
    });
    this.flap = new FlapSuppressor({
      keepFiringForMs: o.keepFiringForMs,
      pendingMs: o.pendingMs,
    });
    this.firing = new FiringAnomalies(
      this.findings,
      anomalyEventBuilder(o.links),
      this.stats,
    );
  }

  /** Current event time (the largest timestamp seen, or advanced while idle), epoch ms. */
  get eventTimeMs(): number {
    return this.clock.nowMs;
  }

  /**
   * The last points of a metric series (observed value, expected band,
   * anomalous or not), oldest first, for the chart of its anomaly.
   */
  metricChart(service: string, metric: string): ChartPoint[] | undefined {
    return this.series.chart(`${service}\u0000${metric}`);
  }

  /** Anomalies firing now, as their firing events. */
  firingAnomalies(): AnomalyEvent[] {
    return this.firing.events(this.clock.nowMs);
  }

  /**
   * Feeds one log record; returns anomalies that fired or resolved because
   * event time moved past an evaluation point.
   */
  observeLog(record: LogRecordEvent, wallNowMs = Date.now()): AnomalyEvent[] {
    const ts = this.clock.bound(Date.parse(record['@timestamp']), wallNowMs);
    if (Number.isNaN(ts)) return [];
    this.stats.logRecords++;
    const out = this.clock.advanceTo(ts, wallNowMs);
    const { isError, level, match, sample, state } = this.services.observe(
      record,
      ts,
    );
    const fresh = state.fresh.observe({
      level,
      template: match.template,
      templateId: match.templateId,
      timestampMs: ts,
    });
    if (fresh && isError && fresh.score >= this.options.minScore) {
      this.findings.record(
        record.service,
        fresh.score,
        ts + this.options.bucketMs,
        {
          baseline: { expected: 0, observed: 1, unit: 'count' },
          kind: 'new_template',
          severity: 'critical',
          template: match.template,
          templateId: match.templateId,
        },
      );
    }
    const active = this.findings.get(`new_template:${record.service}`);
    if (active?.templateIds?.has(match.templateId)) {
      // a new template stays anomalous while it keeps coming
      active.activeUntilMs = Math.max(
        active.activeUntilMs,
        ts + this.options.bucketMs,
      );
      pushSample(active.samples, sample, this.options.samples);
    }

    this.onRateFindings(
      record.service,
      state,
      state.rate.observe(match.templateId, ts),
    );
    this.onErrorShareFindings(
      this.errorShare.observe({
        level,
        service: record.service,
        timestampMs: ts,
      }),
    );
    return out;
  }

  /**
   * Feeds one metric point (OTLP, or a Prometheus sample); returns anomalies
   * that fired or resolved.
   */
  observeMetric(
    point: MetricPointEvent,
    wallNowMs = Date.now(),
  ): AnomalyEvent[] {
    const ts = this.clock.bound(Date.parse(point['@timestamp']), wallNowMs);
    if (Number.isNaN(ts) || !Number.isFinite(point.value)) return [];
    this.stats.metricPoints++;
    const out = this.clock.advanceTo(ts, wallNowMs);
    const attributes = Object.entries(point.attributes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const series = attributes ? `${point.name}{${attributes}}` : point.name;
    const result = this.series.observe(
      `${point.service}\u0000${series}`,
      ts,
      point.value,
    );
    if (result.score >= this.options.minMetricScore) {
      this.findings.record(
        point.service,
        result.score,
        ts + this.options.bucketMs,
        {
          baseline: {
            expected: (result.expected.low + result.expected.high) / 2,
            lower: result.expected.low,
            observed: point.value,
            unit: point.unit ?? 'value',
            upper: result.expected.high,
          },
          kind: 'metric',
          metric: series,
          severity: 'warning',
        },
      );
    }
    return out;
  }

  /**
   * Moves event time on with the wall clock when no record arrived for
   * `idleAdvanceAfterMs`, and returns what fired or resolved. Call it on a timer.
   */
  tick(wallNowMs = Date.now()): AnomalyEvent[] {
    return this.clock.tick(wallNowMs);
  }

  private evaluate(atMs: number): AnomalyEvent[] {
    for (const [service, state] of this.services.entries()) {
      this.onRateFindings(service, state, state.rate.flush(atMs));
    }
    this.onErrorShareFindings(this.errorShare.flush(atMs));
    const events: AnomalyEvent[] = [];
    for (const transition of this.flap.evaluate(
      atMs,
      this.findings.activeAt(atMs),
    )) {
      const event = this.firing.apply(transition, atMs);
      if (event) events.push(event);
    }
    this.findings.prune(atMs, (key) => this.flap.state(key) === 'inactive');
    return events;
  }

  private onRateFindings(
    service: string,
    state: ServiceState,
    findings: LogAnomaly[],
  ): void {
    for (const finding of findings) {
      if (
        finding.kind === 'burst' &&
        finding.observed < this.options.minBurstCount
      )
        continue;
      if (finding.kind === 'silence') {
        // only a template that came in most buckets can fall silent: a past
        // burst leaves a high baseline but is no heartbeat
        const seen = state.templates.get(finding.key)?.activeBuckets ?? 0;
        if (seen < this.options.minBaselineBuckets) continue;
        const last = state.silences.get(finding.key);
        const streak =
          last && finding.timestampMs - last.bucketMs === this.options.bucketMs
            ? last.streak + 1
            : 1;
        state.silences.set(finding.key, {
          bucketMs: finding.timestampMs,
          streak,
        });
        evictLru(state.silences, MAX_TEMPLATES_PER_SERVICE);
        if (streak < this.options.silenceBuckets) continue;
      }
      const info = state.templates.get(finding.key);
      this.findings.record(
        service,
        finding.score,
        finding.timestampMs + 2 * this.options.bucketMs,
        {
          baseline: {
            expected: (finding.expected.low + finding.expected.high) / 2,
            lower: finding.expected.low,
            observed: finding.observed,
            unit: `per_${this.options.bucketMs / 1000}s`,
            upper: finding.expected.high,
          },
          kind: finding.kind === 'silence' ? 'rate_silence' : 'rate_burst',
          samples: info?.samples,
          severity:
            finding.kind === 'burst' && info?.samples.length
              ? 'critical'
              : 'warning',
          template: info?.template,
          templateId: finding.key,
        },
      );
    }
  }

  private onErrorShareFindings(findings: LogAnomaly[]): void {
    for (const finding of findings) {
      const errors =
        this.services.get(finding.key)?.errorCounts.get(finding.timestampMs) ??
        0;
      if (errors < this.options.minErrorCount) continue;
      this.findings.record(
        finding.key,
        finding.score,
        finding.timestampMs + 2 * this.options.bucketMs,
        {
          baseline: {
            expected: (finding.expected.low + finding.expected.high) / 2,
            lower: finding.expected.low,
            observed: finding.observed,
            unit: 'ratio',
            upper: finding.expected.high,
          },
          kind: 'error_share',
          samples: this.services.get(finding.key)?.errorSamples,
          severity: 'critical',
        },
      );
    }
  }

  /** The state to keep across a restart, plain JSON. */
  snapshot(): AnomalyEngineSnapshot {
    const eventTimeMs = this.clock.nowMs;
    return {
      ...snapshotServices(this.services),
      ...(Number.isNaN(eventTimeMs) ? {} : { eventTimeMs }),
      firing: {
        anomalies: this.firing.snapshot(),
        keys: this.flap.firingStates(),
      },
    };
  }

  /**
   * Restores a {@link AnomalyEngine.snapshot} into a fresh engine, before any
   * record: the vocabulary, the event time and the anomalies firing, which
   * this engine then re-posts ({@link AnomalyEngine.firingAnomalies}) and
   * resolves once their condition stays clear.
   */
  restore(snapshot: AnomalyEngineSnapshot, wallNowMs = Date.now()): void {
    restoreServices(this.services, snapshot);
    if (snapshot.eventTimeMs !== undefined)
      this.clock.resume(snapshot.eventTimeMs, wallNowMs);
    if (snapshot.firing) {
      this.firing.restore(snapshot.firing.anomalies);
      this.flap.restoreFiring(snapshot.firing.keys);
    }
  }
}
