/**
 * Maps a deviation in standard deviations to [0, 1), as every baseline here
 * does: `|z| / (|z| + 4)`, which never saturates to 1 in floating point, so
 * the threshold sweep can still rank very large deviations.
 */
export const deviationScore = (z: number): number =>
  Math.abs(z) / (Math.abs(z) + 4);

/** Scale of a median absolute deviation to a normal standard deviation. */
const MAD_SCALE = 1.4826;

/** Points each baseline learns before it scores. */
const WARMUP = 100;

/**
 * Baseline: EWMA of the value with bands of an exponentially weighted
 * absolute deviation (a streaming MAD), both over about 100 points; the
 * score is the deviation from the EWMA in those bands' standard deviations.
 */
export class EwmaMadBaseline {
  private count = 0;
  private level = 0;
  private mad = 0;
  private static readonly ALPHA = 2 / 101;

  update(_timestampMs: number, value: number): { score: number } {
    if (!Number.isFinite(value)) return { score: 0 };
    if (this.count === 0) {
      this.level = value;
      this.count = 1;
      return { score: 0 };
    }
    const deviation = value - this.level;
    const sd = this.mad * MAD_SCALE + 1e-9 * (Math.abs(this.level) + 1);
    const score = this.count >= WARMUP ? deviationScore(deviation / sd) : 0;
    const a = Math.max(EwmaMadBaseline.ALPHA, 1 / (this.count + 1));
    this.level += a * deviation;
    this.mad += a * (Math.abs(deviation) - this.mad);
    this.count++;
    return { score };
  }
}

/**
 * Baseline: seasonal-naive forecast. The expected value is the value one day
 * earlier, looked up by timestamp: a ring of one day of slots (the slot width
 * is the sampling step measured on the first points) holds each slot's last
 * value and its time, and a point is forecast only when its slot was filled
 * one day earlier (within one slot), so gaps and irregular sampling do not
 * misalign it. The score is the forecast error in robust standard deviations
 * of the recent forecast errors (EWMA of absolute errors).
 */
export class SeasonalNaiveBaseline {
  private forecasts = 0;
  private lastTs = Number.NaN;
  private mad = 0;
  private slotMs = 0;
  private values: Float64Array | undefined;
  private times: Float64Array | undefined;
  private readonly firstSteps: number[] = [];
  private static readonly DAY_MS = 86_400_000;
  private static readonly MAX_SLOTS = 10_080;

  update(timestampMs: number, value: number): { score: number } {
    if (!Number.isFinite(value) || !Number.isFinite(timestampMs))
      return { score: 0 };
    if (this.values === undefined) {
      if (!Number.isNaN(this.lastTs))
        this.firstSteps.push(timestampMs - this.lastTs);
      this.lastTs = timestampMs;
      if (this.firstSteps.length < 10) return { score: 0 };
      const step = [...this.firstSteps].sort((a, b) => a - b)[5];
      const size = Math.max(
        1,
        Math.min(
          SeasonalNaiveBaseline.MAX_SLOTS,
          Math.round(SeasonalNaiveBaseline.DAY_MS / Math.max(step, 1)),
        ),
      );
      this.slotMs = SeasonalNaiveBaseline.DAY_MS / size;
      this.values = new Float64Array(size);
      this.times = new Float64Array(size).fill(Number.NaN);
    }
    const times = this.times as Float64Array;
    const size = this.values.length;
    const slot = ((Math.floor(timestampMs / this.slotMs) % size) + size) % size;
    const previous = this.values[slot];
    const age = timestampMs - times[slot];
    this.values[slot] = value;
    times[slot] = timestampMs;
    // Only a value from one day earlier (give or take one slot) is a forecast.
    if (!(Math.abs(age - SeasonalNaiveBaseline.DAY_MS) <= this.slotMs))
      return { score: 0 };
    this.forecasts++;
    const error = value - previous;
    const sd = this.mad * MAD_SCALE + 1e-9 * (Math.abs(previous) + 1);
    const score = this.forecasts > WARMUP ? deviationScore(error / sd) : 0;
    const a = Math.max(2 / 101, 1 / this.forecasts);
    this.mad += a * (Math.abs(error) - this.mad);
    return { score };
  }
}
