import type {
  AnomalyBaseline,
  AnomalyEvent,
  AnomalyKind,
  AnomalySample,
  AnomalySeverity,
  LogRecordEvent,
  MetricPointEvent,
} from '@freeride/contracts';
import {
  DEFAULT_METRIC_LEARNING_POINTS,
  ErrorShareDetector,
  LogRateDetector,
  METRIC_ALERT_SCORE,
  NewTemplateDetector,
  TemplateMiner,
  evictLru,
  severityOf,
} from '@freeride/detectors';
import type { LogAnomaly, TemplateMinerState } from '@freeride/detectors';

import type { ChartPoint } from '../chart/anomaly-chart';
import { FlapSuppressor } from '../flap/flap-suppressor';
import type { FlapTransition } from '../flap/flap-suppressor';
import { EventClock } from './event-clock';
import { MetricSeriesRegistry } from './metric-series';

export { DEFAULT_METRIC_LEARNING_POINTS };

/** Links of an anomaly, built by the caller (Kibana and runbook base URLs are config). */
export interface AnomalyLinks {
  readonly discover: string;
  readonly runbook: string;
}

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
  readonly links: (input: {
    readonly from: Date;
    readonly kind: AnomalyKind;
    readonly service: string;
    readonly to: Date;
  }) => AnomalyLinks;
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

interface Finding {
  activeUntilMs: number;
  /** New-template findings: every template of the incident. */
  readonly templateIds?: Set<string>;
  baseline: AnomalyBaseline;
  readonly kind: AnomalyKind;
  readonly metric?: string;
  samples: AnomalySample[];
  score: number;
  readonly service: string;
  readonly severity: AnomalySeverity;
  template?: string;
  readonly templateId?: string;
}

interface TemplateInfo {
  /** Buckets in which the template was seen, and the last one. */
  activeBuckets: number;
  lastBucketMs: number;
  samples: AnomalySample[];
  readonly template: string;
}

interface ServiceState {
  /** Event time of the service's first record: the new-template warm-up runs from here. */
  readonly firstSeenMs: number;
  /** Error records per bucket start, for the error-share noise floor. */
  readonly errorCounts: Map<number, number>;
  readonly errorSamples: AnomalySample[];
  readonly fresh: NewTemplateDetector;
  readonly miner: TemplateMiner;
  readonly rate: LogRateDetector;
  /** Per template: bucket start of its last silence finding, and the streak. */
  readonly silences: Map<string, { bucketMs: number; streak: number }>;
  readonly templates: Map<string, TemplateInfo>;
}

/**
 * What an engine keeps across a restart ({@link AnomalyEngine.snapshot}):
 * the mined templates and the start of each service's warm-up, so a
 * restarted instance neither re-learns its vocabulary nor mistakes known
 * templates for new ones. Rate baselines are re-learned.
 */
export interface AnomalyEngineSnapshot {
  readonly services: readonly {
    readonly firstSeenMs: number;
    readonly miner: TemplateMinerState;
    readonly service: string;
    readonly templates: readonly (readonly [
      id: string,
      template: string,
      activeBuckets: number,
    ])[];
  }[];
  readonly version: 1;
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

/** Most templates and metric series tracked, to bound memory. */
const MAX_TEMPLATES_PER_SERVICE = 5000;
const MAX_METRIC_SERIES = 10_000;
/** Last points of each metric series kept for the chart of its anomalies. */
const CHART_POINTS = 90;
/** Templates named in one new-template anomaly. */
const MAX_TEMPLATES_PER_INCIDENT = 5;

function pushSample(
  list: AnomalySample[],
  sample: AnomalySample,
  limit: number,
): void {
  // keep the first samples: they show how the anomaly started
  if (list.length < limit) list.push(sample);
}

/**
 * Runs the detectors of `@freeride/detectors` on the live streams of one
 * anomaly instance and turns their findings into firing and resolved
 * {@link AnomalyEvent}s, with flap control. Driven by event time (the
 * records' timestamps), so a replay at any speed gives the same anomalies;
 * only {@link AnomalyEngine.tick} looks at the wall clock, to move event time
 * on when every source went quiet.
 *
 * Per service: template mining, new error templates, per-template rate
 * (burst, silence). Across services: error share. Per metric series: the
 * streaming metric detector.
 */
export class AnomalyEngine {
  private readonly errorShare: ErrorShareDetector;
  private readonly findings = new Map<string, Finding>();
  private readonly firing = new Map<string, Finding & { sinceMs: number }>();
  private readonly flap: FlapSuppressor;
  private readonly series: MetricSeriesRegistry;
  private readonly options: Defaults &
    Pick<AnomalyEngineOptions, 'links' | 'maxFutureSkewMs' | 'maxPastAgeMs'>;
  private readonly services = new Map<string, ServiceState>();
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
    this.errorShare = new ErrorShareDetector({
      bucketMs: this.options.bucketMs,
      minBaselineBuckets: this.options.minBaselineBuckets,
      minScore: this.options.minScore,
    });
    this.clock = new EventClock(
      {
        evaluateEveryMs: this.options.evaluateEveryMs,
        idleAdvanceAfterMs: this.options.idleAdvanceAfterMs,
        maxFutureSkewMs: this.options.maxFutureSkewMs,
        maxPastAgeMs: this.options.maxPastAgeMs,
      },
      (atMs) => this.evaluate(atMs),
      () => this.stats.eventTimeClamped++,
    );
    this.series = new MetricSeriesRegistry({
      chartPoints: CHART_POINTS,
      learningPoints: this.options.metricLearningPoints,
      maxSeries: MAX_METRIC_SERIES,
      minScore: this.options.minMetricScore,
    });
    this.flap = new FlapSuppressor({
      keepFiringForMs: this.options.keepFiringForMs,
      pendingMs: this.options.pendingMs,
    });
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
    return [...this.firing].map(([key, finding]) =>
      this.toEvent(
        key,
        this.findings.get(key) ?? finding,
        'firing',
        this.clock.nowMs,
        finding.sinceMs,
      ),
    );
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
    const state = this.serviceState(record.service, ts);
    const level =
      record.severityNumber > 0 ? record.severityNumber : record.level;
    const match = state.miner.add(record.message);
    const sample: AnomalySample = {
      '@timestamp': record['@timestamp'],
      message: record.message,
      ...(record.spanId ? { spanId: record.spanId } : {}),
      ...(record.traceId ? { traceId: record.traceId } : {}),
    };
    let info = state.templates.get(match.templateId);
    if (!info || match.changed) {
      info = {
        activeBuckets: info?.activeBuckets ?? 0,
        lastBucketMs: info?.lastBucketMs ?? Number.NaN,
        samples: info?.samples ?? [],
        template: match.template,
      };
      state.templates.set(match.templateId, info);
      evictLru(state.templates, MAX_TEMPLATES_PER_SERVICE);
    }
    const bucketOfRecord =
      Math.floor(ts / this.options.bucketMs) * this.options.bucketMs;
    if (bucketOfRecord !== info.lastBucketMs) {
      info.activeBuckets++;
      info.lastBucketMs = bucketOfRecord;
    }
    const isError = severityOf(level) === 'error';
    if (isError) {
      const bucket =
        Math.floor(ts / this.options.bucketMs) * this.options.bucketMs;
      state.errorCounts.set(bucket, (state.errorCounts.get(bucket) ?? 0) + 1);
      evictLru(state.errorCounts, 4);
      info.samples = [
        ...info.samples.slice(-(this.options.samples - 1)),
        sample,
      ];
      pushSample(state.errorSamples, sample, this.options.samples);
    }

    const fresh = state.fresh.observe({
      level,
      template: match.template,
      templateId: match.templateId,
      timestampMs: ts,
    });
    if (fresh && isError && fresh.score >= this.options.minScore) {
      this.record(record.service, fresh.score, ts + this.options.bucketMs, {
        baseline: { expected: 0, observed: 1, unit: 'count' },
        kind: 'new_template',
        severity: 'critical',
        template: match.template,
        templateId: match.templateId,
      });
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
      this.record(point.service, result.score, ts + this.options.bucketMs, {
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
      });
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
    for (const [service, state] of this.services) {
      this.onRateFindings(service, state, state.rate.flush(atMs));
    }
    this.onErrorShareFindings(this.errorShare.flush(atMs));
    const active = new Set<string>();
    for (const [key, finding] of this.findings) {
      if (finding.activeUntilMs > atMs) active.add(key);
    }
    const events: AnomalyEvent[] = [];
    for (const transition of this.flap.evaluate(atMs, active)) {
      const event = this.onTransition(transition, atMs);
      if (event) events.push(event);
    }
    for (const [key, finding] of this.findings) {
      if (
        finding.activeUntilMs <= atMs &&
        this.flap.state(key) === 'inactive'
      ) {
        this.findings.delete(key);
      }
    }
    return events;
  }

  private onTransition(
    transition: FlapTransition,
    atMs: number,
  ): AnomalyEvent | undefined {
    if (transition.type === 'fire') {
      const finding = this.findings.get(transition.key);
      if (!finding) return undefined;
      this.firing.set(transition.key, {
        ...finding,
        sinceMs: transition.sinceMs,
      });
      this.stats.anomaliesFired++;
      return this.toEvent(
        transition.key,
        finding,
        'firing',
        atMs,
        transition.sinceMs,
      );
    }
    const finding = this.firing.get(transition.key);
    this.firing.delete(transition.key);
    if (!finding) return undefined;
    this.stats.anomaliesResolved++;
    const latest = this.findings.get(transition.key) ?? finding;
    return this.toEvent(
      transition.key,
      latest,
      'resolved',
      atMs,
      finding.sinceMs,
      transition.atMs,
    );
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
      this.record(
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
      this.record(
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

  private record(
    service: string,
    score: number,
    activeUntilMs: number,
    fields: {
      baseline: AnomalyBaseline;
      kind: AnomalyKind;
      metric?: string;
      samples?: AnomalySample[];
      severity: AnomalySeverity;
      template?: string;
      templateId?: string;
    },
  ): void {
    // every new pattern of a service while one is active is one incident, one page
    const key =
      fields.kind === 'new_template'
        ? `new_template:${service}`
        : `${fields.kind}:${service}:${fields.templateId ?? fields.metric ?? '*'}`;
    const existing = this.findings.get(key);
    if (existing) {
      existing.activeUntilMs = Math.max(existing.activeUntilMs, activeUntilMs);
      if (
        existing.templateIds &&
        fields.templateId &&
        !existing.templateIds.has(fields.templateId)
      ) {
        existing.templateIds.add(fields.templateId);
        if (
          existing.templateIds.size <= MAX_TEMPLATES_PER_INCIDENT &&
          fields.template
        ) {
          existing.template = `${existing.template ?? ''} | ${fields.template}`;
        }
        existing.baseline = {
          ...fields.baseline,
          observed: existing.templateIds.size,
        };
        return;
      }
      existing.baseline = fields.baseline;
      existing.score = Math.max(existing.score, score);
      return;
    }
    this.findings.set(key, {
      activeUntilMs,
      baseline: fields.baseline,
      kind: fields.kind,
      samples: [...(fields.samples ?? [])],
      score,
      service,
      severity: fields.severity,
      ...(fields.metric ? { metric: fields.metric } : {}),
      ...(fields.template ? { template: fields.template } : {}),
      ...(fields.templateId ? { templateId: fields.templateId } : {}),
      ...(fields.kind === 'new_template' && fields.templateId
        ? { templateIds: new Set([fields.templateId]) }
        : {}),
    });
  }

  /** The state to keep across a restart, plain JSON. */
  snapshot(): AnomalyEngineSnapshot {
    return {
      services: [...this.services].map(([service, state]) => ({
        firstSeenMs: state.firstSeenMs,
        miner: state.miner.toJSON(),
        service,
        templates: [...state.templates].map(
          ([id, info]) => [id, info.template, info.activeBuckets] as const,
        ),
      })),
      version: 1,
    };
  }

  /** Restores a {@link AnomalyEngine.snapshot} into a fresh engine, before any record. */
  restore(snapshot: AnomalyEngineSnapshot): void {
    for (const saved of snapshot.services) {
      const state = this.serviceState(
        saved.service,
        saved.firstSeenMs,
        TemplateMiner.fromJSON(saved.miner),
      );
      for (const [id, template, activeBuckets] of saved.templates) {
        state.fresh.observe({ templateId: id, timestampMs: saved.firstSeenMs });
        state.templates.set(id, {
          activeBuckets,
          lastBucketMs: Number.NaN,
          samples: [],
          template,
        });
      }
    }
  }

  private serviceState(
    service: string,
    firstSeenMs: number,
    miner: TemplateMiner = new TemplateMiner(),
  ): ServiceState {
    let state = this.services.get(service);
    if (!state) {
      state = {
        errorCounts: new Map(),
        firstSeenMs,
        errorSamples: [],
        fresh: new NewTemplateDetector({
          errorGraceMs: this.options.bucketMs,
          warmupMs: this.options.newTemplateWarmupMs,
        }),
        miner,
        rate: new LogRateDetector({
          bucketMs: this.options.bucketMs,
          minBaselineBuckets: this.options.minBaselineBuckets,
          minScore: this.options.minScore,
        }),
        silences: new Map(),
        templates: new Map(),
      };
      this.services.set(service, state);
    }
    return state;
  }

  private toEvent(
    key: string,
    finding: Finding,
    status: 'firing' | 'resolved',
    atMs: number,
    sinceMs: number,
    endMs?: number,
  ): AnomalyEvent {
    const start = new Date(sinceMs);
    const end = new Date(endMs ?? atMs);
    const links = this.options.links({
      from: new Date(sinceMs - 5 * 60_000),
      kind: finding.kind,
      service: finding.service,
      to: new Date((endMs ?? atMs) + 5 * 60_000),
    });
    const traceIds = [
      ...new Set(
        finding.samples.flatMap((s) => (s.traceId ? [s.traceId] : [])),
      ),
    ];
    return {
      '@timestamp': new Date(atMs).toISOString(),
      baseline: finding.baseline,
      id: `${key}:${sinceMs}:${status}`,
      key,
      kind: finding.kind,
      links,
      samples: finding.samples,
      score: finding.score,
      service: finding.service,
      severity: finding.severity,
      status,
      traceIds,
      window:
        status === 'resolved'
          ? { end: end.toISOString(), start: start.toISOString() }
          : { start: start.toISOString() },
      ...(finding.metric ? { metric: finding.metric } : {}),
      ...(finding.template ? { template: finding.template } : {}),
      ...(finding.templateId ? { templateId: finding.templateId } : {}),
    };
  }
}
