import type { AnomalySample, LogRecordEvent } from '@freeride/contracts';
import {
  LogRateDetector,
  NewTemplateDetector,
  TemplateMiner,
  evictLru,
  severityOf,
} from '@freeride/detectors';
import type { TemplateMatch } from '@freeride/detectors';

import { pushSample } from './findings';

/** Most templates tracked per service, to bound memory. */
export const MAX_TEMPLATES_PER_SERVICE = 5000;

/** What a service's log state knows of one template. */
export interface TemplateInfo {
  /** Buckets in which the template was seen, and the last one. */
  activeBuckets: number;
  lastBucketMs: number;
  samples: AnomalySample[];
  readonly template: string;
}

/** The log detectors and bookkeeping of one service. */
export interface ServiceState {
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

/** Options of {@link ServiceLogStates}. */
export interface ServiceLogStatesOptions {
  readonly bucketMs: number;
  readonly minBaselineBuckets: number;
  readonly minScore: number;
  readonly newTemplateWarmupMs: number;
  /** Sample log lines kept per template and per service. */
  readonly samples: number;
}

/** One log record as {@link ServiceLogStates.observe} books it. */
export interface ObservedLog {
  readonly isError: boolean;
  /** The record's level: its OpenTelemetry severity number when set, else its level name. */
  readonly level: number | string;
  readonly match: TemplateMatch;
  readonly sample: AnomalySample;
  readonly state: ServiceState;
}

/**
 * The per-service log state of an engine: each service's template miner,
 * new-template and rate detectors, the templates it has shown (with their
 * active buckets and error samples) and its error counts per bucket.
 */
export class ServiceLogStates {
  private readonly services = new Map<string, ServiceState>();

  constructor(private readonly options: ServiceLogStatesOptions) {}

  /** Every service's state, in the order they were first seen. */
  entries(): IterableIterator<[string, ServiceState]> {
    return this.services.entries();
  }

  /** A service's state, if it was seen. */
  get(service: string): ServiceState | undefined {
    return this.services.get(service);
  }

  /**
   * A service's state, created on its first record (`firstSeenMs` starts its
   * warm-up) with a fresh miner unless one is given (restore).
   */
  getOrCreate(
    service: string,
    firstSeenMs: number,
    miner: TemplateMiner = new TemplateMiner(),
  ): ServiceState {
    let state = this.services.get(service);
    if (!state) {
      const o = this.options;
      state = {
        errorCounts: new Map(),
        firstSeenMs,
        errorSamples: [],
        fresh: new NewTemplateDetector({
          errorGraceMs: o.bucketMs,
          warmupMs: o.newTemplateWarmupMs,
        }),
        miner,
        rate: new LogRateDetector({
          bucketMs: o.bucketMs,
          minBaselineBuckets: o.minBaselineBuckets,
          minScore: o.minScore,
        }),
        silences: new Map(),
        templates: new Map(),
      };
      this.services.set(service, state);
    }
    return state;
  }

  /**
   * Mines one record's template and books it: the template's active
   * buckets, and for an error its sample and the service's error count.
   *
   * @param ts - the record's event time (already bounded), epoch ms
   */
  observe(record: LogRecordEvent, ts: number): ObservedLog {
    const { bucketMs, samples } = this.options;
    const state = this.getOrCreate(record.service, ts);
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
    const bucket = Math.floor(ts / bucketMs) * bucketMs;
    if (bucket !== info.lastBucketMs) {
      info.activeBuckets++;
      info.lastBucketMs = bucket;
    }
    const isError = severityOf(level) === 'error';
    if (isError) {
      state.errorCounts.set(bucket, (state.errorCounts.get(bucket) ?? 0) + 1);
      evictLru(state.errorCounts, 4);
      info.samples = [...info.samples.slice(-(samples - 1)), sample];
      pushSample(state.errorSamples, sample, samples);
    }
    return { isError, level, match, sample, state };
  }
}
