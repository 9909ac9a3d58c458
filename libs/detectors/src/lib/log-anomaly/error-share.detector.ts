import { evictLru } from '../bounded-lru';
import { clamp01, gaussianTail } from '../stats';
import { BucketBaseline } from './bucket-baseline';
import type { LogAnomaly, LogLevel } from './log-anomaly.types';
import { severityOf } from './log-level';

/** Options of {@link ErrorShareDetector}. */
export interface ErrorShareDetectorOptions {
  /**
   * Weight of the newest bucket in the baseline share (EWMA).
   * @default 0.05
   */
  readonly alpha?: number;
  /**
   * Width of a time bucket, in milliseconds.
   * @default 60_000
   */
  readonly bucketMs?: number;
  /**
   * Most services tracked; the least recently seen are dropped.
   * @default 1000
   */
  readonly maxServices?: number;
  /**
   * Buckets a service must have been tracked before it can be flagged.
   * @default 10
   */
  readonly minBaselineBuckets?: number;
  /**
   * Findings below this score are not returned. The default is the edge of
   * the expected band (3 standard deviations).
   * @default 0.997
   */
  readonly minScore?: number;
}

const DEFAULTS: Required<ErrorShareDetectorOptions> = {
  alpha: 0.05,
  bucketMs: 60_000,
  maxServices: 1000,
  minBaselineBuckets: 10,
  minScore: 0.997,
};

interface ServiceShare {
  readonly baseline: BucketBaseline;
  errors: number;
  total: number;
}

/**
 * Error-share shift per service: the share of error-level records in each
 * time bucket against the service's baseline share, tested as a binomial
 * proportion (so a single error among three records is not a shift, and a
 * jump from 1 % to 20 % of 10,000 records is).
 *
 * @see https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc332.htm (proportion control charts)
 */
export class ErrorShareDetector {
  private bucketStart = Number.NaN;
  private readonly options: Required<ErrorShareDetectorOptions>;
  private readonly services = new Map<string, ServiceShare>();

  /** @param options - see {@link ErrorShareDetectorOptions} */
  constructor(options: ErrorShareDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Counts one record. Returns the findings of the buckets it closed.
   *
   * @param record - the record's service, level and time (epoch ms)
   */
  observe(record: {
    readonly level?: LogLevel;
    readonly service: string;
    readonly timestampMs: number;
  }): LogAnomaly[] {
    const findings = this.flush(record.timestampMs);
    let share = this.services.get(record.service);
    if (share === undefined) {
      share = {
        baseline: new BucketBaseline(this.options.alpha),
        errors: 0,
        total: 0,
      };
      evictLru(this.services, this.options.maxServices - 1);
    } else {
      this.services.delete(record.service);
    }
    this.services.set(record.service, share);
    share.total++;
    if (severityOf(record.level) === 'error') {
      share.errors++;
    }
    return findings;
  }

  /**
   * Closes every bucket that ended before `nowMs` and returns its findings.
   *
   * @param nowMs - current time, epoch ms
   */
  flush(nowMs: number): LogAnomaly[] {
    const { bucketMs } = this.options;
    if (Number.isNaN(this.bucketStart)) {
      this.bucketStart = Math.floor(nowMs / bucketMs) * bucketMs;
      return [];
    }
    const findings: LogAnomaly[] = [];
    if (nowMs >= this.bucketStart + bucketMs) {
      this.closeBucket(findings);
      this.bucketStart = Math.floor(nowMs / bucketMs) * bucketMs;
    }
    return findings;
  }

  private closeBucket(findings: LogAnomaly[]): void {
    for (const [service, share] of this.services) {
      const { baseline, errors, total } = share;
      share.errors = 0;
      share.total = 0;
      if (total === 0) {
        continue;
      }
      const observed = errors / total;
      if (baseline.buckets >= this.options.minBaselineBuckets) {
        // Binomial sd at the baseline share, floored so a zero baseline still has a band.
        const p = Math.min(0.999, Math.max(baseline.mean, 0.5 / (total + 1)));
        const sd = Math.sqrt((p * (1 - p)) / total + baseline.variance);
        const low = Math.max(0, baseline.mean - 3 * sd);
        const high = Math.min(1, baseline.mean + 3 * sd);
        const score = clamp01(
          1 - 2 * gaussianTail((observed - baseline.mean) / sd),
        );
        if (observed > baseline.mean && score >= this.options.minScore) {
          findings.push({
            expected: { high, low },
            key: service,
            kind: 'error-share',
            observed,
            reason: `${errors} of ${total} records are errors (${(observed * 100).toFixed(1)} %), expected ${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)} %`,
            score,
            timestampMs: this.bucketStart,
          });
        }
      }
      baseline.learn(observed);
    }
  }
}
