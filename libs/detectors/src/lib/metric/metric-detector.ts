import { gaussianTail } from '../stats';

/** Options of {@link MetricDetector}. One configuration serves every series. */
export interface MetricDetectorOptions {
  /**
   * Points before the detector scores anything (it only learns).
   * @default 100
   */
  readonly learningPoints?: number;
  /**
   * Seasonal periods to model, in milliseconds; each gets a profile of
   * `seasonalBins` buckets, used once two full periods have been seen.
   * @default [86_400_000, 604_800_000]
   */
  readonly seasonalPeriodsMs?: readonly number[];
  /**
   * Buckets per seasonal profile.
   * @default 48
   */
  readonly seasonalBins?: number;
}

/** The result of {@link MetricDetector.update} for one point. */
export interface MetricScore {
  /** The band the value was expected in (about ±3 robust deviations). */
  readonly expected: { readonly high: number; readonly low: number };
  /** Why the score is what it is, for people. */
  readonly reason: string;
  /** Anomaly score in [0, 1]; 0 while learning. */
  readonly score: number;
}

const DEFAULTS: Required<MetricDetectorOptions> = {
  learningPoints: 100,
  seasonalBins: 48,
  seasonalPeriodsMs: [86_400_000, 604_800_000],
};

interface Seasonal {
  readonly bins: Float64Array;
  readonly counts: Float64Array;
  readonly periodMs: number;
}

/**
 * Streaming anomaly detector for one metric series: one point at a time,
 * O(1) work and memory per point.
 *
 * The expected value is an exponentially weighted level plus seasonal
 * profiles (daily and weekly by default) indexed by timestamp, so gaps and
 * irregular sampling need no resampling. The residual is scaled by a robust
 * running deviation, and the score is the anomaly likelihood of the recent
 * residuals against their long-run distribution, as in Numenta's HTM
 * detector, so a level shift scores high once and then becomes the new level.
 *
 * @see https://arxiv.org/abs/1510.03336 (Lavin and Ahmad, NAB; anomaly likelihood)
 */
export class MetricDetector {
  private count = 0;
  private level = 0;
  private readonly options: Required<MetricDetectorOptions>;
  private rawMean = 0;
  private rawVar = 1;
  private readonly seasonals: Seasonal[];
  private shortRaw = 0;
  private spread = 0;
  private startTs = Number.NaN;

  /** @param options - see {@link MetricDetectorOptions} */
  constructor(options: MetricDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.seasonals = this.options.seasonalPeriodsMs.map((periodMs) => ({
      bins: new Float64Array(this.options.seasonalBins),
      counts: new Float64Array(this.options.seasonalBins),
      periodMs,
    }));
  }

  /**
   * Scores one point and learns from it.
   *
   * @param timestampMs - the point's time, epoch milliseconds; may jump (gaps)
   * @param value - the observed value; non-finite values are ignored
   */
  update(timestampMs: number, value: number): MetricScore {
    if (!Number.isFinite(value)) {
      return {
        expected: { high: Number.NaN, low: Number.NaN },
        reason: 'not a finite value',
        score: 0,
      };
    }
    if (this.count === 0) {
      this.level = value;
      this.startTs = timestampMs;
      this.count = 1;
      return {
        expected: { high: value, low: value },
        reason: 'first point',
        score: 0,
      };
    }
    const seasonal = this.seasonalOffset(timestampMs);
    const expected = this.level + seasonal;
    const scale = Math.max(this.spread, 1e-9 + Math.abs(this.level) * 1e-3);
    const residual = value - expected;
    const raw = Math.min(Math.abs(residual) / scale, 20);
    const alphaShort = 0.5;
    this.shortRaw += alphaShort * (raw - this.shortRaw);
    const sd = Math.sqrt(Math.max(this.rawVar, 1e-6));
    const z = (this.shortRaw - this.rawMean) / sd;
    const learning = this.count < this.options.learningPoints;
    const score = learning ? 0 : Math.max(0, 1 - 2 * gaussianTail(z));

    // Learn.
    const alphaLevel = 0.1;
    const alphaSpread = 0.02;
    this.level += alphaLevel * residual;
    this.spread +=
      alphaSpread *
      (Math.min(Math.abs(residual), 5 * scale + 1e-12) - this.spread);
    const alphaRaw = 0.005;
    const d = this.shortRaw - this.rawMean;
    this.rawMean += alphaRaw * d;
    this.rawVar = (1 - alphaRaw) * (this.rawVar + alphaRaw * d * d);
    this.learnSeasonal(timestampMs, value - this.level);
    this.count++;

    const band = 3 * scale;
    return {
      expected: { high: expected + band, low: expected - band },
      reason: learning
        ? 'learning'
        : `value ${value} vs expected ${expected.toPrecision(6)} (${raw.toFixed(1)} deviations)`,
      score,
    };
  }

  private learnSeasonal(timestampMs: number, deviation: number): void {
    for (const s of this.seasonals) {
      const bin = this.binOf(s, timestampMs);
      s.counts[bin] += 1;
      const alpha = Math.max(0.1, 1 / s.counts[bin]);
      s.bins[bin] += alpha * (deviation - s.bins[bin]);
    }
  }

  private binOf(s: Seasonal, timestampMs: number): number {
    const phase = ((timestampMs % s.periodMs) + s.periodMs) % s.periodMs;
    return Math.floor((phase / s.periodMs) * s.bins.length);
  }

  private seasonalOffset(timestampMs: number): number {
    let offset = 0;
    for (const s of this.seasonals) {
      if (timestampMs - this.startTs >= 2 * s.periodMs) {
        offset = s.bins[this.binOf(s, timestampMs)];
      }
    }
    return offset;
  }
}
