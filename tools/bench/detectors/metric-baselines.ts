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
 * earlier (the ring holds one day of points at the sampling step measured on
 * the first points); the score is the forecast error in robust standard
 * deviations of the recent forecast errors (EWMA of absolute errors).
 */
export class SeasonalNaiveBaseline {
  private count = 0;
  private lastTs = Number.NaN;
  private mad = 0;
  private ring: Float64Array | undefined;
  private readonly firstSteps: number[] = [];
  private static readonly DAY_MS = 86_400_000;

  update(timestampMs: number, value: number): { score: number } {
    if (!Number.isFinite(value)) return { score: 0 };
    if (this.ring === undefined) {
      if (!Number.isNaN(this.lastTs))
        this.firstSteps.push(timestampMs - this.lastTs);
      this.lastTs = timestampMs;
      if (this.firstSteps.length < 10) return { score: 0 };
      const step = [...this.firstSteps].sort((a, b) => a - b)[5];
      const size = Math.max(
        1,
        Math.min(
          10_080,
          Math.round(SeasonalNaiveBaseline.DAY_MS / Math.max(step, 1)),
        ),
      );
      this.ring = new Float64Array(size).fill(Number.NaN);
    }
    const ring = this.ring;
    const slot = this.count % ring.length;
    const previous = ring[slot];
    ring[slot] = value;
    this.count++;
    if (Number.isNaN(previous)) return { score: 0 };
    const error = value - previous;
    const sd = this.mad * MAD_SCALE + 1e-9 * (Math.abs(previous) + 1);
    const score =
      this.count > ring.length + WARMUP ? deviationScore(error / sd) : 0;
    const a = Math.max(2 / 101, 1 / (this.count - ring.length + 1));
    this.mad += a * (Math.abs(error) - this.mad);
    return { score };
  }
}
