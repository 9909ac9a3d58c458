import { RecordDetector } from './record-novelty';
import { Refractory } from './refractory';

/** Points a {@link MetricDetector} learns before it scores, by default (the one source of this default). */
export const DEFAULT_METRIC_LEARNING_POINTS = 100;

/** Options of {@link MetricDetector}. One configuration serves every series. */
export interface MetricDetectorOptions {
  /**
   * Points before the detector scores anything (it only learns).
   * @default 100
   */
  readonly learningPoints?: number;
  /**
   * Smoothing of the level (per point) in each expectation model.
   * @default 0.05
   */
  readonly levelAlpha?: number;
  /**
   * Smoothing of the trend (per point); the trend is damped by `trendDamping`.
   * @default 0.005
   */
  readonly trendBeta?: number;
  /**
   * Per-point damping of the trend (1 = undamped Holt).
   * @default 0.98
   */
  readonly trendDamping?: number;
  /**
   * Candidate seasonal periods, in milliseconds. Each gets its own
   * expectation model; a period is used only when its model forecasts the
   * series clearly better than the model without season (it is detected,
   * not assumed).
   * @default [86_400_000, 604_800_000]
   */
  readonly seasonalPeriodsMs?: readonly number[];
  /**
   * Most buckets per seasonal profile (fewer when the sampling step is
   * coarser than period / maxBins). Memory per series is constant.
   * @default 288
   */
  readonly maxSeasonalBins?: number;
  /**
   * Points of the fast spread estimate (robust mean absolute residual).
   * @default 50
   */
  readonly fastSpreadPoints?: number;
  /**
   * Points of the slow spread estimate.
   * @default 1000
   */
  readonly slowSpreadPoints?: number;
  /**
   * Residuals are clipped to this many spreads before they update the level,
   * season and spread, so an anomaly does not become the new normal and the
   * tenth spike of a size scores like the first.
   * @default 4
   */
  readonly clipDeviations?: number;
  /**
   * After this many consecutive points beyond the clip band on the same side,
   * the level re-baselines onto them (a sustained level shift alerts once).
   * @default 12
   */
  readonly shiftPoints?: number;
  /**
   * Points after a score ≥ `refractoryScore` during which lower scores are
   * damped (one incident, one detection).
   * @default 50
   */
  readonly refractoryPoints?: number;
  /**
   * Score from which the refractory period starts.
   * @default 0.5
   */
  readonly refractoryScore?: number;
  /**
   * Weight of the short-run mean residual (small sustained shifts) against
   * the point residual.
   * @default 0.5
   */
  readonly meanWeight?: number;
}

/** The result of {@link MetricDetector.update} for one point. */
export interface MetricScore {
  /**
   * The band the value was expected in: the expectation ± the deviations at
   * which a score reaches {@link METRIC_ALERT_SCORE}.
   */
  readonly expected: { readonly high: number; readonly low: number };
  /** The expected value (level + trend + detected season). */
  readonly expectedValue: number;
  /** Why the score is what it is, for people. */
  readonly reason: string;
  /** Anomaly score in [0, 1]; 0 while learning. */
  readonly score: number;
  /** Deviation from the expectation in robust standard deviations (signed). */
  readonly deviations: number;
}

const DEFAULTS: Required<MetricDetectorOptions> = {
  clipDeviations: 4,
  fastSpreadPoints: 50,
  learningPoints: DEFAULT_METRIC_LEARNING_POINTS,
  levelAlpha: 0.05,
  maxSeasonalBins: 288,
  meanWeight: 0.5,
  refractoryPoints: 50,
  refractoryScore: 0.5,
  seasonalPeriodsMs: [86_400_000, 604_800_000],
  shiftPoints: 12,
  slowSpreadPoints: 1000,
  trendBeta: 0.005,
  trendDamping: 0.98,
};

/** Deviations below which a point scores 0. */
const SCORE_FLOOR_DEVIATIONS = 3;
/**
 * Score from which a metric point is worth an alert (about the NAB standard
 * profile's corpus-wide threshold on the tuning corpora).
 */
export const METRIC_ALERT_SCORE = 0.5;
/** Half-width of the reported band, in robust standard deviations. */
const BAND_DEVIATIONS = 6;
/**
 * Weight of the novelty channel (a value beyond the decaying range of what
 * the series has shown), combined with the deviation score as a noisy-or.
 */
const NOVELTY_WEIGHT = 18;
/**
 * The novelty channel counts only when the deviation its record stands for
 * (the point's, or the short-run mean's for the level record) is at least
 * this many robust deviations: a new extreme inside the noise is not news.
 */
const NOVELTY_MIN_DEVIATIONS = 2;
/** Mean absolute deviation of a normal distribution, in standard deviations. */
const MAD_TO_SD = Math.sqrt(Math.PI / 2);
/** A point more than this many typical steps after the previous one follows a gap. */
const GAP_STEPS = 5;
/** A seasonal model must forecast this much better than the plain one to be used. */
const SEASON_GAIN = 0.85;
/** Points over which the short-run mean residual is averaged. */
const MEAN_POINTS = 8;
/**
 * Weight of the deviation from the long-run level: a value `clipDeviations`
 * (4) long-run spreads off counts as a point at the score floor (3).
 */
const LONG_RUN_WEIGHT = 0.75;
/** Visits of a seasonal phase before its residuals move the model's level. */
const PHASE_SEEN_FOR_LEVEL = 2;

/**
 * A run of consecutive residuals beyond a clip band on one side: after
 * enough of them, their mean is the shift to re-baseline onto.
 */
class SustainedRun {
  private points = 0;
  private sum = 0;

  /**
   * Adds one point; returns the mean residual of the run when it reaches
   * `points` (and restarts it), else 0.
   *
   * @param beyond - whether the point lies beyond the clip band
   * @param residual - its signed residual
   * @param points - run length that re-baselines
   */
  push(beyond: boolean, residual: number, points: number): number {
    if (!beyond) {
      this.points = 0;
      this.sum = 0;
      return 0;
    }
    if (Math.sign(this.sum) !== Math.sign(residual)) {
      this.points = 0;
      this.sum = 0;
    }
    this.points++;
    this.sum += residual;
    if (this.points < points) {
      return 0;
    }
    const shift = this.sum / this.points;
    this.points = 0;
    this.sum = 0;
    return shift;
  }
}

/** One expectation model: damped-trend level plus an optional seasonal profile. */
interface Model {
  /**
   * Slow mean absolute residual of this model, not clipped (model selection:
   * a plain level's misses at every seasonal transition must count).
   */
  error: number;
  /** Fast robust mean absolute residual. */
  fast: number;
  level: number;
  readonly periodMs: number;
  readonly profile: Float64Array | undefined;
  readonly seen: Uint16Array | undefined;
  /** Slow robust mean absolute residual. */
  slow: number;
  trend: number;
  /** Consecutive points beyond this model's clip band on one side. */
  readonly shift: SustainedRun;
}

/**
 * Streaming anomaly detector for one metric series that scores deviation
 * from an adaptive, robust expectation: one point at a time, O(1) work and
 * memory per point, scores in [0, 1].
 *
 * - **Expectation.** Several small models run side by side: a damped-trend
 *   level (Holt's linear method in error-correction form) and a level with a
 *   seasonal profile per candidate period (a day and a week by default),
 *   indexed by the timestamp so gaps and irregular sampling need no
 *   resampling. A seasonal model's level learns only from phases its profile
 *   has seen twice, so level and profile do not trade the season between
 *   them while it is first learned. The model with the lowest robust forecast error is used; a
 *   seasonal one only when it clearly beats the plain level, so a series
 *   without that period keeps the plain model (periods are detected, as
 *   S-H-ESD decomposes before testing residuals).
 * - **Spread.** The robust mean absolute residual at two time scales (about
 *   50 and 1,000 points); the larger one is the spread, so a noisier regime
 *   widens the band quickly and a quiet one narrows it slowly. A floor of
 *   half the series' typical non-zero step keeps counts and zero-heavy
 *   series from scoring every unit change, and a relative floor keeps flat
 *   series from dividing by zero.
 * - **Robust updates.** Residuals are clipped to `clipDeviations` spreads
 *   before anything learns from them (a Huber-style update), so anomalies
 *   do not inflate the spread: the tenth spike of a size scores like the
 *   first. A record-based score cannot do this.
 * - **Level shifts.** After `shiftPoints` consecutive points beyond the clip
 *   band on one side, the level re-baselines onto the new values: the shift
 *   scores high for its first points, then the series is normal again.
 * - **Long-run band.** A clipped mean of the values over about
 *   `slowSpreadPoints` and the mean absolute deviation around it. A value
 *   far outside it counts as a deviation even when the adaptive level has
 *   followed a slow drift there; it re-baselines after a sustained shift
 *   like the models do.
 * - **Gaps.** After a gap the level re-learns fast only when the point lies
 *   outside the band (the series moved while nobody looked).
 * - **Score.** The larger of the point's deviation and the short-run mean
 *   residual's (weighted), in robust standard deviations, turned into an
 *   anomaly likelihood (after HTM): how unusual the recent deviation is
 *   against the series' own long-run distribution of deviations. A novelty
 *   channel (a value beyond the decaying range of what the series has shown)
 *   adds to it when the deviation its record stands for is at least 2
 *   robust deviations: the point's own for a new extreme value, the
 *   short-run mean's for a new extreme of the short-run level. A short refractory
 *   period keeps one incident from scoring on every point (ARTime and HTM's
 *   anomaly likelihood both damp repeats after a detection).
 *
 * @see https://arxiv.org/abs/1510.03336 (Lavin and Ahmad, NAB, the benchmark)
 * @see https://arxiv.org/abs/1704.07706 (Hochenbaum et al., S-H-ESD: seasonal decomposition, robust residual test)
 */
export class MetricDetector {
  private count = 0;
  private lastTs = Number.NaN;
  private lastValue = 0;
  /** Long-run level, mean absolute deviation around it, and its run beyond the clip band. */
  private longDev = 0;
  private longLevel = 0;
  private readonly longShift = new SustainedRun();
  private mean = 0;
  private readonly models: Model[] = [];
  private readonly options: Required<MetricDetectorOptions>;
  private meanA = LIKELIHOOD_PRIOR_MEAN;
  private readonly novelty = new RecordDetector();
  private recent = 0;
  private varA = LIKELIHOOD_PRIOR_SD * LIKELIHOOD_PRIOR_SD;
  private quantum = 0;
  private readonly refractory: Refractory;
  private startTs = Number.NaN;
  private step = 0;

  /** @param options - see {@link MetricDetectorOptions} */
  constructor(options: MetricDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.refractory = new Refractory(
      this.options.refractoryPoints,
      this.options.refractoryScore,
    );
  }

  /**
   * Scores one point and learns from it.
   *
   * @param timestampMs - the point's time, epoch milliseconds; may jump (gaps)
   * @param value - the observed value; a non-finite value scores 0 and is not learned
   */
  update(timestampMs: number, value: number): MetricScore {
    if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) {
      return result(Number.NaN, Number.NaN, 0, 0, 'not a finite point');
    }
    if (this.count === 0) {
      this.novelty.update(timestampMs, value);
      this.first(timestampMs, value);
      return result(value, 0, 0, 0, 'first point');
    }
    const o = this.options;
    const dt = timestampMs - this.lastTs;
    if (this.count === 1 || this.step <= 0) {
      this.step = dt;
    }
    if (this.models.length === 1 && this.count >= 10) {
      this.addSeasonalModels();
    }
    const gap = this.step > 0 && dt > GAP_STEPS * this.step;
    const model = this.bestModel(timestampMs);
    const expected = this.forecast(model, timestampMs);
    const residual = value - expected;
    const sd = this.spread(model);
    const mean = this.mean + (2 / (MEAN_POINTS + 1)) * (residual - this.mean);
    const meanSd = sd * Math.sqrt(1 / MEAN_POINTS);
    const pointZ = residual / sd;
    const meanZ = (o.meanWeight * mean) / meanSd;
    const pointOrMean = Math.abs(pointZ) >= Math.abs(meanZ) ? pointZ : meanZ;
    // The long-run band: a value far outside the range the series has kept
    // over about `slowSpreadPoints` counts even when the adaptive level has
    // followed it there (a slow drift into new territory).
    const longZ =
      this.count > 3 * o.slowSpreadPoints
        ? this.longRunDeviations(value, sd)
        : 0;
    const z = Math.abs(longZ) > Math.abs(pointOrMean) ? longZ : pointOrMean;
    this.learnLongRun(value, sd);
    const learning = this.count < o.learningPoints;
    // Anomaly likelihood (after HTM): how unusual the recent deviation is
    // against this series' own long-run distribution of deviations.
    const a = Math.abs(z);
    const smoothed = this.recent + LIKELIHOOD_RECENT_ALPHA * (a - this.recent);
    // A single large point still counts (half its deviation), so a spike
    // is not averaged away.
    const recent = Math.max(smoothed, 0.5 * a);
    const spreadA = Math.sqrt(Math.max(this.varA, 1e-6));
    const likelihoodZ =
      (recent - this.meanA) / Math.max(spreadA, MIN_LIKELIHOOD_SPREAD);
    let score = learning ? 0 : likelihoodScore(likelihoodZ, a);
    this.recent = smoothed;
    if (!learning) {
      const w = Math.min(recent, this.meanA + 5 * spreadA);
      const beta = Math.max(
        LIKELIHOOD_ALPHA,
        1 / (this.count - o.learningPoints + LIKELIHOOD_PRIOR_WEIGHT),
      );
      const d = w - this.meanA;
      this.meanA += beta * d;
      this.varA = (1 - beta) * (this.varA + beta * d * d);
    }
    const news = this.novelty.update(timestampMs, value);
    // A record counts only when the deviation it stands for is beyond the
    // noise: the short-run level's record by the sustained (short-run mean)
    // deviation, the value's, residual's and volatility's by the point's own
    // deviation from the expectation or the long-run level. A point inside
    // the noise does not make a drifting mean's new extreme news.
    const evidence =
      news.channel === 'level'
        ? Math.abs(meanZ)
        : Math.max(Math.abs(pointZ), Math.abs(longZ));
    const novelty =
      evidence > NOVELTY_MIN_DEVIATIONS ? NOVELTY_WEIGHT * news.score : 0;
    score = 1 - (1 - score) * (1 - Math.min(0.999, novelty));
    score = this.refractory.apply(score);
    this.learn(timestampMs, value, sd, gap, dt);
    this.mean = gap ? 0 : mean;
    const reason = learning
      ? 'learning'
      : score === 0
        ? 'within the expected band'
        : z === pointOrMean
          ? `${Math.abs(z).toFixed(1)} robust deviations ${z > 0 ? 'above' : 'below'} the expected ${expected.toPrecision(6)}${Math.abs(meanZ) > Math.abs(pointZ) ? ' (sustained)' : ''}`
          : `${(Math.abs(z) / LONG_RUN_WEIGHT).toFixed(1)} long-run deviations ${z > 0 ? 'above' : 'below'} the long-run level ${this.longLevel.toPrecision(6)} (expected ${expected.toPrecision(6)})`;
    return result(expected, BAND_DEVIATIONS * sd, score, z, reason);
  }

  /**
   * Weighted deviation of a value from the long-run level, in long-run
   * spreads (never narrower than the model's spread `sd`).
   */
  private longRunDeviations(value: number, sd: number): number {
    const longSd = Math.max(this.longDev * MAD_TO_SD, sd);
    return (LONG_RUN_WEIGHT * (value - this.longLevel)) / longSd;
  }

  /**
   * The long-run level and spread: a clipped exponential mean over about
   * `slowSpreadPoints`, re-baselined after `shiftPoints` consecutive points
   * beyond its clip band on one side, as the models are (a level shift
   * alerts once, not until the long mean has crawled to it).
   */
  private learnLongRun(value: number, sd: number): void {
    const o = this.options;
    const longSd = Math.max(this.longDev * MAD_TO_SD, sd);
    const r = value - this.longLevel;
    const alpha = Math.max(2 / (o.slowSpreadPoints + 1), 1 / this.count);
    const clip = o.clipDeviations * longSd;
    const clipped = this.count < 10 ? r : Math.max(-clip, Math.min(clip, r));
    this.longLevel += alpha * clipped;
    this.longDev += alpha * (Math.abs(clipped) - this.longDev);
    this.longLevel += this.longShift.push(
      this.count >= 10 && Math.abs(r) > clip,
      r,
      o.shiftPoints,
    );
  }

  private addSeasonalModels(): void {
    const { maxSeasonalBins, seasonalPeriodsMs } = this.options;
    const base = this.models[0];
    for (const periodMs of seasonalPeriodsMs) {
      const steps = Math.round(periodMs / Math.max(this.step, 1));
      if (steps < 4) {
        continue;
      }
      const bins = Math.min(steps, maxSeasonalBins);
      this.models.push({
        error: base.error,
        fast: base.fast,
        level: base.level,
        periodMs,
        profile: new Float64Array(bins),
        shift: new SustainedRun(),
        seen: new Uint16Array(bins),
        slow: base.slow,
        trend: 0,
      });
    }
  }

  private bestModel(timestampMs: number): Model {
    let best = this.models[0];
    const elapsed = timestampMs - this.startTs;
    for (let i = 1; i < this.models.length; i++) {
      const m = this.models[i];
      if (
        elapsed >= 2 * m.periodMs &&
        m.error < SEASON_GAIN * this.models[0].error &&
        m.error < best.error
      ) {
        best = m;
      }
    }
    return best;
  }

  private binOf(m: Model, timestampMs: number): number {
    const bins = (m.profile as Float64Array).length;
    const phase = ((timestampMs % m.periodMs) + m.periodMs) % m.periodMs;
    return Math.min(bins - 1, Math.floor((phase / m.periodMs) * bins));
  }

  private first(timestampMs: number, value: number): void {
    this.count = 1;
    this.lastTs = timestampMs;
    this.lastValue = value;
    this.startTs = timestampMs;
    this.models.push({
      error: 0,
      fast: 0,
      level: value,
      periodMs: 0,
      profile: undefined,
      shift: new SustainedRun(),
      seen: undefined,
      slow: 0,
      trend: 0,
    });
  }

  private forecast(m: Model, timestampMs: number): number {
    const base = m.level + this.options.trendDamping * m.trend;
    if (m.profile === undefined) {
      return base;
    }
    return base + m.profile[this.binOf(m, timestampMs)];
  }

  private spread(m: Model): number {
    return Math.max(
      Math.max(m.slow, m.fast) * MAD_TO_SD,
      0.5 * this.quantum,
      1e-9 + 1e-6 * Math.abs(m.level),
    );
  }

  private learn(
    timestampMs: number,
    value: number,
    sd: number,
    gap: boolean,
    dt: number,
  ): void {
    const o = this.options;
    const clip = o.clipDeviations * sd;
    const learning = this.count < o.learningPoints;
    const fastAlpha = 2 / (o.fastSpreadPoints + 1);
    // While learning, the slow spread averages everything seen so far.
    const slowAlpha = Math.max(2 / (o.slowSpreadPoints + 1), 1 / this.count);
    const errorAlpha = 2 / (o.slowSpreadPoints / 4 + 1);
    const first = this.count < 3;
    const chosen = this.bestModel(timestampMs);
    // The level adapts fast while learning, and right after a gap when the
    // series moved during it (a point back inside the band after a gap is
    // just noise: chasing it would make the next points look off).
    const movedInGap =
      gap && Math.abs(value - this.forecast(chosen, timestampMs)) > clip;
    const alpha = movedInGap
      ? 0.5
      : learning
        ? Math.max(o.levelAlpha, 0.2)
        : o.levelAlpha;
    for (const m of this.models) {
      const expected = this.forecast(m, timestampMs);
      const raw = value - expected;
      // A seasonal model knows a phase once its profile has seen it twice:
      // before that the residual is the unknown profile, and letting the
      // level chase it (or re-baseline on it) leaves level and profile
      // fighting for days. The trend belongs to the plain model.
      const phaseKnown =
        m.seen === undefined ||
        m.seen[this.binOf(m, timestampMs)] >= PHASE_SEEN_FOR_LEVEL;
      const own = o.clipDeviations * this.spread(m);
      const r = first ? raw : Math.max(-own, Math.min(own, raw));
      const absR = Math.abs(r);
      m.error += errorAlpha * (Math.abs(raw) - m.error);
      m.fast += (first ? 1 : fastAlpha) * (absR - m.fast);
      m.slow += (first ? 1 : slowAlpha) * (absR - m.slow);
      if (m.profile === undefined || m.seen === undefined) {
        const damped = o.trendDamping * m.trend;
        m.level = m.level + damped + alpha * r;
        m.trend = damped + o.trendBeta * r;
      } else {
        const bin = this.binOf(m, timestampMs);
        const seen = m.seen[bin];
        if (phaseKnown) {
          m.level += alpha * r;
        }
        const delta = value - m.level - m.profile[bin];
        const g = Math.max(0.1, 1 / (seen + 1));
        m.profile[bin] +=
          g * (seen < 2 ? delta : Math.max(-own, Math.min(own, delta)));
        if (seen < 65535) {
          m.seen[bin] = seen + 1;
        }
      }
      // Sustained shift: many points beyond this model's clip band on one
      // side re-baseline its level. Each model judges by its own residuals:
      // a daily transition the seasonal model expects is no shift for it,
      // even when it is one for the plain level.
      const shift = m.shift.push(
        !learning && phaseKnown && Math.abs(raw) > own,
        raw,
        o.shiftPoints,
      );
      if (shift !== 0) {
        m.level += shift;
        m.trend = 0;
        if (m === chosen) {
          this.mean = 0;
        }
      }
    }
    // The series' resolution: a low quantile (about the 10th percentile)
    // of its non-zero changes, tracked multiplicatively.
    const change = Math.abs(value - this.lastValue);
    if (change > 0) {
      if (this.quantum === 0) {
        this.quantum = change;
      } else {
        this.quantum *= change < this.quantum ? 0.9 : 1.0111;
      }
    }
    if (!gap) {
      this.step += 0.1 * (dt - this.step);
    }
    this.lastTs = timestampMs;
    this.lastValue = value;
    this.count++;
  }
}

/** Smoothing of the recent deviation (about 10 points, as HTM's likelihood averages). */
const LIKELIHOOD_RECENT_ALPHA = 2 / 11;
/** Smoothing of the long-run mean and variance of the recent deviation. */
const LIKELIHOOD_ALPHA = 2 / 3001;
/**
 * Prior of the recent deviation's distribution (about that of Gaussian
 * noise), worth this many points, so the likelihood scores from the first
 * point after learning.
 */
const LIKELIHOOD_PRIOR_MEAN = 0.8;
const LIKELIHOOD_PRIOR_SD = 0.6;
const LIKELIHOOD_PRIOR_WEIGHT = 10;
/** Likelihood z at which the score is 0.5. */
const LIKELIHOOD_HALF_SCORE = 5;
/**
 * Floor of the recent deviation's spread, in deviations: about the spread of
 * a 10-point mean of |z| under Gaussian noise, so a series whose deviations
 * were unusually steady does not turn a small wobble into a large likelihood.
 */
const MIN_LIKELIHOOD_SPREAD = 0.4;

function likelihoodScore(likelihoodZ: number, deviations: number): number {
  if (deviations <= SCORE_FLOOR_DEVIATIONS || likelihoodZ <= 0) return 0;
  return likelihoodZ / (likelihoodZ + LIKELIHOOD_HALF_SCORE);
}

function result(
  expected: number,
  halfWidth: number,
  score: number,
  deviations: number,
  reason: string,
): MetricScore {
  return {
    deviations,
    expected: { high: expected + halfWidth, low: expected - halfWidth },
    expectedValue: expected,
    reason,
    score,
  };
}
