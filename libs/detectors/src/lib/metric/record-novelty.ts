import { Refractory } from './refractory';

/** Options of {@link MetricDetector}. One configuration serves every series. */
export interface RecordDetectorOptions {
  /**
   * Points before the detector scores anything (it only learns).
   * @default 150
   */
  readonly learningPoints?: number;
  /**
   * Per-point decay of the residual and volatility records, so that an old
   * extreme stops masking a new incident (0.9999 halves a record in about
   * 7,000 points).
   * @default 0.9999
   */
  readonly recordDecay?: number;
  /**
   * After a score of at least `refractoryScore`, this many points score a
   * tenth unless they beat the incident's peak, so one incident is reported
   * once.
   * @default 50
   */
  readonly refractoryPoints?: number;
  /**
   * Score from which the refractory period starts.
   * @default 0.05
   */
  readonly refractoryScore?: number;
  /**
   * Buckets per seasonal profile.
   * @default 24
   */
  readonly seasonalBins?: number;
  /**
   * Seasonal periods, in milliseconds. Each gets a profile of `seasonalBins`
   * buckets indexed by timestamp, used once two full periods were seen; the
   * longest usable one applies.
   * @default [86_400_000, 604_800_000]
   */
  readonly seasonalPeriodsMs?: readonly number[];
  /**
   * Points over which the short-run level is averaged (level shifts).
   * @default 20
   */
  readonly shortHorizon?: number;
  /**
   * Points over which volatility (mean absolute change) is averaged.
   * @default 20
   */
  readonly volatilityHorizon?: number;
}

/**
 * A record channel: the value, the short-run level, the distance from the
 * expectation or the volatility beyond its record.
 */
export type RecordChannel = 'level' | 'residual' | 'value' | 'volatility';

/** The result of {@link RecordDetector.update} for one point. */
interface RecordScore {
  /** The channel that set the score (the strongest one). */
  readonly channel: RecordChannel;
  /** The band the value was expected in: expectation ± 4 robust deviations. */
  readonly expected: { readonly high: number; readonly low: number };
  /** Why the score is what it is, for people. */
  readonly reason: string;
  /** Anomaly score in [0, 1]; 0 while learning. */
  readonly score: number;
}

const DEFAULTS: Required<RecordDetectorOptions> = {
  learningPoints: 150,
  recordDecay: 0.9999,
  refractoryPoints: 50,
  refractoryScore: 0.05,
  seasonalBins: 24,
  seasonalPeriodsMs: [86_400_000, 604_800_000],
  shortHorizon: 20,
  volatilityHorizon: 20,
};

/** Records (residual, volatility) are kept only after this many points. */
const RECORD_WARMUP_POINTS = 50;

/** Weight of a value beyond the range seen so far, per range width. */
const NOVELTY_WEIGHT = 10;

/** Weight of the short-run level beyond its range: a smoothed signal, so half. */
const LEVEL_NOVELTY_WEIGHT = 5;

/** A point more than this many typical steps after the previous one follows a gap. */
const GAP_STEPS = 5;

/** Mean absolute deviation of a normal distribution, in standard deviations. */
const MAD_TO_SD = Math.sqrt(Math.PI / 2);

interface Seasonal {
  readonly bins: Float64Array;
  readonly counts: Float64Array;
  readonly periodMs: number;
}

/**
 * Streaming anomaly detector for one metric series: one point at a time,
 * O(1) work and memory per point, scores in [0, 1].
 *
 * The expectation is an exponentially weighted level plus seasonal profiles
 * (daily and weekly by default) indexed by the timestamp, so gaps and
 * irregular sampling need no resampling; a trend moves the level. Four
 * scale-free signals are scored, each as how far it breaks its own record,
 * relative to that record:
 *
 * - the value beyond the range seen so far (spikes, drops, trend breaks);
 * - the short-run level beyond its range, which decays like the records
 *   (level shifts);
 * - the distance from the expectation beyond its slowly decaying record
 *   (seasonal anomalies, spikes inside the range);
 * - the volatility beyond its decaying record (bursts of noise).
 *
 * The strongest one sets the score; after a high score a short refractory
 * period keeps one incident from firing on every point.
 *
 * @see https://arxiv.org/abs/1510.03336 (Lavin and Ahmad, NAB, the benchmark)
 * @see https://github.com/smirmik/CAD (contextOSE: novelty of context, an inspiration)
 */
export class RecordDetector {
  private count = 0;
  private deviation = 0;
  private lastTs = Number.NaN;
  private lastValue = 0;
  private level = 0;
  private levelMax = 0;
  private levelMin = 0;
  private max = 0;
  private min = 0;
  private readonly options: Required<RecordDetectorOptions>;
  private readonly refractory: Refractory;
  private residualRecord = 0;
  private readonly seasonals: Seasonal[];
  private shortMean = 0;
  private startTs = Number.NaN;
  private step = 0;
  private volatility = 0;
  private volatilityRecord = 0;

  /** @param options - see {@link RecordDetectorOptions} */
  constructor(options: RecordDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.refractory = new Refractory(
      this.options.refractoryPoints,
      this.options.refractoryScore,
    );
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
   * @param value - the observed value; a non-finite value scores 0 and is not learned
   */
  update(timestampMs: number, value: number): RecordScore {
    if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) {
      return {
        channel: 'value',
        expected: { high: Number.NaN, low: Number.NaN },
        reason: 'not a finite point',
        score: 0,
      };
    }
    if (this.count === 0) {
      this.first(timestampMs, value);
      return {
        channel: 'value',
        expected: { high: value, low: value },
        reason: 'first point',
        score: 0,
      };
    }
    const o = this.options;
    const dt = timestampMs - this.lastTs;
    if (this.step <= 0) {
      this.step = dt;
    }
    // After a gap the level catches up faster and the volatility skips the jump.
    const gap = this.step > 0 && dt > GAP_STEPS * this.step;
    const floor = 1e-9 + Math.abs(this.level) * 1e-4;
    const expected = this.level + this.seasonalOffset(timestampMs);
    const residual = value - expected;
    const absResidual = Math.abs(residual);
    const shortMean =
      this.shortMean + (2 / (o.shortHorizon + 1)) * (value - this.shortMean);
    const volatility = gap
      ? this.volatility
      : this.volatility +
        (2 / (o.volatilityHorizon + 1)) *
          (Math.abs(value - this.lastValue) - this.volatility);

    const recordsReady = this.count > RECORD_WARMUP_POINTS;
    const channels: Record<RecordChannel, number> = {
      level:
        beyond(shortMean, this.levelMin, this.levelMax, floor) *
        LEVEL_NOVELTY_WEIGHT,
      residual:
        recordsReady &&
        this.residualRecord > 0 &&
        absResidual > this.residualRecord
          ? (absResidual - this.residualRecord) / this.residualRecord
          : 0,
      value: beyond(value, this.min, this.max, floor) * NOVELTY_WEIGHT,
      volatility:
        recordsReady &&
        this.volatilityRecord > 0 &&
        volatility > this.volatilityRecord
          ? (volatility - this.volatilityRecord) / this.volatilityRecord
          : 0,
    };
    let strongest: RecordChannel = 'value';
    for (const channel of ['level', 'residual', 'volatility'] as const) {
      if (channels[channel] > channels[strongest]) {
        strongest = channel;
      }
    }
    const learning = this.count < o.learningPoints;
    let score = learning ? 0 : 1 - Math.exp(-channels[strongest] / 4);
    score = this.refractory.apply(score);

    this.learn(
      timestampMs,
      value,
      residual,
      shortMean,
      volatility,
      gap,
      dt,
      floor,
    );

    const sd = Math.max(this.deviation * MAD_TO_SD, floor);
    return {
      channel: strongest,
      expected: { high: expected + 4 * sd, low: expected - 4 * sd },
      reason: learning
        ? 'learning'
        : score === 0
          ? 'within the usual range'
          : `${strongest} beyond its record by ${channels[strongest].toFixed(2)} (value ${value}, expected ${expected.toPrecision(6)})`,
      score,
    };
  }

  private binOf(s: Seasonal, timestampMs: number): number {
    const phase = ((timestampMs % s.periodMs) + s.periodMs) % s.periodMs;
    return Math.floor((phase / s.periodMs) * s.bins.length);
  }

  private first(timestampMs: number, value: number): void {
    this.count = 1;
    this.lastTs = timestampMs;
    this.lastValue = value;
    this.level = value;
    this.levelMax = value;
    this.levelMin = value;
    this.max = value;
    this.min = value;
    this.shortMean = value;
    this.startTs = timestampMs;
  }

  private learn(
    timestampMs: number,
    value: number,
    residual: number,
    shortMean: number,
    volatility: number,
    gap: boolean,
    dt: number,
    floor: number,
  ): void {
    const decay = this.options.recordDecay;
    const absResidual = Math.abs(residual);
    const sd = Math.max(this.deviation * MAD_TO_SD, floor);
    this.deviation += 0.01 * (Math.min(absResidual, 6 * sd) - this.deviation);
    this.level += (gap ? 0.5 : 0.1) * residual;
    this.residualRecord =
      this.count > RECORD_WARMUP_POINTS
        ? Math.max(this.residualRecord * decay, absResidual)
        : Math.max(this.residualRecord, absResidual);
    if (this.count > RECORD_WARMUP_POINTS) {
      this.volatilityRecord = Math.max(
        this.volatilityRecord * decay,
        volatility,
      );
    } else if (this.count > 2 * this.options.volatilityHorizon) {
      this.volatilityRecord = Math.max(this.volatilityRecord, volatility);
    }
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
    if (this.count > RECORD_WARMUP_POINTS) {
      // The short-run level's range is a record too: it shrinks towards the
      // level at the records' decay, so an old excursion stops masking a shift.
      this.levelMin = this.level - (this.level - this.levelMin) * decay;
      this.levelMax = this.level + (this.levelMax - this.level) * decay;
    }
    this.levelMin = Math.min(this.levelMin, shortMean);
    this.levelMax = Math.max(this.levelMax, shortMean);
    this.shortMean = shortMean;
    this.volatility = volatility;
    for (const s of this.seasonals) {
      const bin = this.binOf(s, timestampMs);
      s.counts[bin] += 1;
      s.bins[bin] +=
        Math.max(0.1, 1 / s.counts[bin]) * (value - this.level - s.bins[bin]);
    }
    this.step += 0.1 * (dt - this.step);
    this.lastTs = timestampMs;
    this.lastValue = value;
    this.count++;
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

/** How far `x` lies beyond `[low, high]`, in widths of that range. */
function beyond(x: number, low: number, high: number, floor: number): number {
  const range = Math.max(high - low, floor);
  return x > high ? (x - high) / range : x < low ? (low - x) / range : 0;
}
