import type { AnomalyEvent } from '@freeride/contracts';

/** Options of {@link EventClock}. */
export interface EventClockOptions {
  /** How often anomalies are evaluated, in event time. */
  readonly evaluateEveryMs: number;
  /** Wall-clock idle time after which event time advances with the wall clock. */
  readonly idleAdvanceAfterMs: number;
  /** Records dated further ahead of the wall clock do not move event time. */
  readonly maxFutureSkewMs?: number;
  /** Records dated further behind the wall clock do not move event time. */
  readonly maxPastAgeMs?: number;
}

/**
 * The event clock of one engine: the watermark (largest record time seen, or
 * advanced with the wall clock while idle), bounded by the receiver's wall
 * clock, and the evaluation points it crosses. `evaluate` is called for each
 * evaluation point in order; across a long gap only its start and its end.
 */
export class EventClock {
  private lastEventWallMs = Number.NaN;
  private nextEvaluationMs = Number.NaN;
  private watermarkMs = Number.NaN;

  constructor(
    private readonly options: EventClockOptions,
    private readonly evaluate: (atMs: number) => AnomalyEvent[],
    private readonly onClamped: () => void,
  ) {}

  /** Current event time, epoch ms (NaN before the first record). */
  get nowMs(): number {
    return this.watermarkMs;
  }

  /**
   * A timestamp outside the wall-clock bounds is replaced by the current
   * event time (or the wall clock before the first record) and counted.
   */
  bound(ts: number, wallNowMs: number): number {
    if (Number.isNaN(ts)) return ts;
    const { maxFutureSkewMs, maxPastAgeMs } = this.options;
    const tooLate =
      maxFutureSkewMs !== undefined && ts > wallNowMs + maxFutureSkewMs;
    const tooEarly =
      maxPastAgeMs !== undefined && ts < wallNowMs - maxPastAgeMs;
    if (!tooLate && !tooEarly) return ts;
    this.onClamped();
    return Number.isNaN(this.watermarkMs) ? wallNowMs : this.watermarkMs;
  }

  /**
   * Continues from another instance's event time (a partition taken over):
   * as if its last record had just arrived.
   */
  resume(watermarkMs: number, wallNowMs: number): void {
    if (!Number.isFinite(watermarkMs) || !Number.isNaN(this.watermarkMs))
      return;
    this.advanceTo(watermarkMs, wallNowMs);
  }

  /** Moves event time to a record's time; returns what the crossed evaluations produced. */
  advanceTo(ts: number, wallNowMs: number): AnomalyEvent[] {
    this.lastEventWallMs = wallNowMs;
    if (Number.isNaN(this.watermarkMs)) {
      this.watermarkMs = ts;
      this.nextEvaluationMs =
        Math.floor(ts / this.options.evaluateEveryMs) *
          this.options.evaluateEveryMs +
        this.options.evaluateEveryMs;
      return [];
    }
    if (ts <= this.watermarkMs) return [];
    const out = this.evaluateUntil(ts);
    this.watermarkMs = ts;
    return out;
  }

  /** Advances event time with the wall clock when no record arrived for a while. */
  tick(wallNowMs: number): AnomalyEvent[] {
    if (Number.isNaN(this.lastEventWallMs)) return [];
    const idleMs = wallNowMs - this.lastEventWallMs;
    if (idleMs < this.options.idleAdvanceAfterMs) return [];
    const target = this.watermarkMs + idleMs;
    this.lastEventWallMs = wallNowMs;
    const out = this.evaluateUntil(target);
    this.watermarkMs = target;
    return out;
  }

  private evaluateUntil(ts: number): AnomalyEvent[] {
    const out: AnomalyEvent[] = [];
    const every = this.options.evaluateEveryMs;
    // across a long gap nothing arrived: evaluate its start (what was active
    // fires) and its end (what ended resolves), not every point between
    if (ts - this.nextEvaluationMs > 10 * every) {
      out.push(...this.evaluate(this.nextEvaluationMs));
      this.nextEvaluationMs = Math.floor(ts / every) * every;
    }
    while (ts >= this.nextEvaluationMs) {
      out.push(...this.evaluate(this.nextEvaluationMs));
      this.nextEvaluationMs += every;
    }
    return out;
  }
}
