import { deviationScore } from './metric-baselines';

/** Points in the baseline's rolling window. */
const WINDOW = 200;

/**
 * Naive metric baseline: z-score of each point against the mean and standard
 * deviation of the previous 200 points (a ring buffer with running sums),
 * mapped to [0, 1) by `|z| / (|z| + 4)`; no score during the first window.
 */
export class RollingZScore {
  private count = 0;
  private readonly ring = new Float64Array(WINDOW);
  private sum = 0;
  private sumSq = 0;

  update(_timestampMs: number, value: number): { score: number } {
    if (!Number.isFinite(value)) {
      return { score: 0 };
    }
    let score = 0;
    if (this.count >= WINDOW) {
      const mean = this.sum / WINDOW;
      const variance = Math.max(this.sumSq / WINDOW - mean * mean, 0);
      const sd = Math.sqrt(variance) + 1e-9 * (Math.abs(mean) + 1);
      score = deviationScore((value - mean) / sd);
      const old = this.ring[this.count % WINDOW];
      this.sum -= old;
      this.sumSq -= old * old;
    }
    this.ring[this.count % WINDOW] = value;
    this.sum += value;
    this.sumSq += value * value;
    this.count++;
    return { score };
  }
}
