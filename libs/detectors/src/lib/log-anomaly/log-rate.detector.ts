import { evictLru } from '../bounded-lru';
import { clamp01, gaussianTail } from '../stats';
import { BucketBaseline } from './bucket-baseline';
import type { LogAnomaly } from './log-anomaly.types';

/** Options of {@link LogRateDetector}. */
export interface LogRateDetectorOptions {
  /**
   * Weight of the newest bucket in the baseline (EWMA).
   * @default 0.05
   */
  readonly alpha?: number;
  /**
   * Width of a time bucket, in milliseconds.
   * @default 60_000
   */
  readonly bucketMs?: number;
  /**
   * Most templates tracked; the least recently seen are dropped.
   * @default 5000
   */
  readonly maxTemplates?: number;
  /**
   * Buckets a template must have been tracked before it can be flagged.
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

const DEFAULTS: Required<LogRateDetectorOptions> = {
  alpha: 0.05,
  bucketMs: 60_000,
  maxTemplates: 5000,
  minBaselineBuckets: 10,
  minScore: 0.997,
};

/** After this many empty buckets in a row, the rest of a gap is skipped. */
const MAX_GAP_BUCKETS = 1440;

interface TemplateRate {
  readonly baseline: BucketBaseline;
  current: number;
}

/**
 * Per-template rate against a baseline learned online: counts records per
 * template in fixed time buckets and, when a bucket closes, compares each
 * count with an exponentially weighted baseline. A count far above the band
 * is a burst; no record of a template that normally appears every bucket is
 * a silence. Counts are treated as over-dispersed Poisson.
 *
 * @see https://www.itl.nist.gov/div898/handbook/pmc/section3/pmc324.htm (EWMA control charts)
 */
export class LogRateDetector {
  private bucketStart = Number.NaN;
  private readonly options: Required<LogRateDetectorOptions>;
  private readonly rates = new Map<string, TemplateRate>();

  /** @param options - see {@link LogRateDetectorOptions} */
  constructor(options: LogRateDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Counts one record. Returns the findings of the buckets it closed.
   *
   * @param templateId - the record's template id
   * @param timestampMs - the record's time, epoch ms (late records count in the open bucket)
   */
  observe(templateId: string, timestampMs: number): LogAnomaly[] {
    const findings = this.flush(timestampMs);
    let rate = this.rates.get(templateId);
    if (rate === undefined) {
      rate = { baseline: new BucketBaseline(this.options.alpha), current: 0 };
      evictLru(this.rates, this.options.maxTemplates - 1);
    } else {
      this.rates.delete(templateId);
    }
    this.rates.set(templateId, rate);
    rate.current++;
    return findings;
  }

  /**
   * Closes every bucket that ended before `nowMs` and returns its findings.
   * Call it on a timer so that silences are found when no records arrive.
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
    let closed = 0;
    while (nowMs >= this.bucketStart + bucketMs) {
      if (closed < MAX_GAP_BUCKETS) {
        this.closeBucket(findings);
      }
      closed++;
      this.bucketStart += bucketMs;
    }
    return findings;
  }

  private closeBucket(findings: LogAnomaly[]): void {
    for (const [templateId, rate] of this.rates) {
      const { baseline } = rate;
      const count = rate.current;
      rate.current = 0;
      if (baseline.buckets >= this.options.minBaselineBuckets) {
        const sd = Math.sqrt(baseline.variance + baseline.mean + 0.25);
        const low = Math.max(0, baseline.mean - 3 * sd);
        const high = baseline.mean + 3 * sd;
        if (count > baseline.mean) {
          const score = clamp01(
            1 - 2 * gaussianTail((count - baseline.mean) / sd),
          );
          if (score >= this.options.minScore) {
            findings.push({
              expected: { high, low },
              key: templateId,
              kind: 'burst',
              observed: count,
              reason: `${count} records in the bucket, expected ${low.toFixed(1)}–${high.toFixed(1)}`,
              score,
              timestampMs: this.bucketStart,
            });
          }
        } else if (count === 0) {
          // Poisson probability of an empty bucket at the baseline rate.
          const score = clamp01(1 - Math.exp(-baseline.mean));
          if (score >= this.options.minScore) {
            findings.push({
              expected: { high, low },
              key: templateId,
              kind: 'silence',
              observed: 0,
              reason: `no records in the bucket, expected ${low.toFixed(1)}–${high.toFixed(1)}`,
              score,
              timestampMs: this.bucketStart,
            });
          }
        }
      }
      baseline.learn(count);
    }
  }
}
