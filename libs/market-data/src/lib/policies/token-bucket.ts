/** One documented limit of a provider plan: `limit` calls per `windowMs`. */
export interface PlanLimit {
  /**
   * Tokens available at once. Kept at or below `limit`.
   * @default Math.ceil(limit / 2)
   */
  burst?: number;
  /** Calls allowed per window. */
  limit: number;
  /** Window length in ms (1 000, 60 000, 86 400 000...). */
  windowMs: number;
}

/**
 * Refill slack: each window is stretched by 2 % plus 250 ms, so that event-loop
 * delay and network jitter between taking a token here and the call reaching
 * the provider never put a call over its limit (it matters for 1-second
 * windows such as Alpha Vantage's burst limit).
 */
export const SAFETY_FACTOR = 1.02;
export const JITTER_ALLOWANCE_MS = 250;

/**
 * A token bucket sized so that no half-open window of `windowMs` ever sees
 * more than `limit` calls: capacity `b = burst`, refill
 * `(limit - b + 1) / windowMs` per ms. In any window the calls are at most the
 * level at its start (≤ b) plus what refills strictly inside it (< limit - b + 1),
 * i.e. ≤ limit.
 *
 * Hand-written rather than taken from a library because it must also be
 * paused for a provider's `Retry-After` and drained on a 429, and report its
 * headroom for the health score; the npm limiters we looked at (bottleneck,
 * limiter) do not offer that in a synchronous, clock-injectable form.
 */
export class TokenBucket {
  readonly capacity: number;
  private level: number;
  private pausedUntil = 0;
  private readonly refillPerMs: number;
  private updatedAt: number;

  constructor(
    readonly plan: PlanLimit,
    now: number,
  ) {
    if (plan.limit < 1 || plan.windowMs <= 0)
      throw new RangeError('plan limit must be ≥ 1 per positive window');
    this.capacity = Math.min(
      plan.limit,
      Math.max(1, plan.burst ?? Math.ceil(plan.limit / 2)),
    );
    this.refillPerMs =
      (plan.limit - this.capacity + 1) /
      (plan.windowMs * SAFETY_FACTOR + JITTER_ALLOWANCE_MS);
    this.level = this.capacity;
    this.updatedAt = now;
  }

  /** Tokens available now (fractional). */
  available(now: number): number {
    this.refill(now);
    return now < this.pausedUntil ? 0 : this.level;
  }

  /** Ms until one token is available (0 when one is). */
  waitMs(now: number): number {
    this.refill(now);
    const pause = Math.max(0, this.pausedUntil - now);
    if (this.level >= 1) return pause;
    return Math.max(pause, Math.ceil((1 - this.level) / this.refillPerMs));
  }

  /** Takes one token when available; returns whether it did. */
  tryTake(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    this.level -= 1;
    return true;
  }

  /**
   * Reports that a call made with a token has completed. A one-call-per-window
   * plan (Alpha Vantage's 1 request/second) is then spaced from this
   * completion, not from when the token was taken: the call reached the
   * provider at some unknown instant before it completed, so only this keeps
   * two arrivals a full window apart whatever the event-loop or network delay.
   */
  complete(now: number): void {
    if (this.plan.limit === 1)
      this.pausedUntil = Math.max(this.pausedUntil, now + this.plan.windowMs);
  }

  /** Returns a token taken by {@link tryTake} that was not used. */
  giveBack(now: number): void {
    this.refill(now);
    this.level = Math.min(this.capacity, this.level + 1);
  }

  /** Empties the bucket and refuses tokens until `now + ms` (a provider's `Retry-After`). */
  pause(now: number, ms: number): void {
    this.refill(now);
    this.level = 0;
    this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }

  private refill(now: number): void {
    if (now <= this.updatedAt) return;
    this.level = Math.min(
      this.capacity,
      this.level + (now - this.updatedAt) * this.refillPerMs,
    );
    this.updatedAt = now;
  }
}
