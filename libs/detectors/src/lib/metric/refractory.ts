/** Within a refractory period, a score that does not beat the peak is scaled by this. */
const REFRACTORY_DAMPING = 0.1;

/**
 * One incident, one detection: after a score of at least `startScore`, the
 * next `points` scores are damped unless they beat the incident's peak
 * (which restarts the period).
 */
export class Refractory {
  private peak = 0;
  private remaining = 0;

  constructor(
    private readonly points: number,
    private readonly startScore: number,
  ) {}

  /** The score to report for a point's raw score; advances the period by one point. */
  apply(raw: number): number {
    let score = raw;
    if (this.remaining > 0) {
      this.remaining--;
      if (score <= this.peak) {
        score *= REFRACTORY_DAMPING;
      }
    }
    if (
      score >= this.startScore &&
      (this.remaining === 0 || score > this.peak)
    ) {
      this.peak = score;
      this.remaining = this.points;
    }
    return score;
  }
}
