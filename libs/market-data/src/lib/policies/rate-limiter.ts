import { type PlanLimit, TokenBucket } from './token-bucket';

/**
 * All limits of one plan at once (e.g. Alpha Vantage: 1/s and 25/day): a call
 * is allowed only when every window has a token, and takes one from each.
 */
export class RateLimiter {
  private readonly buckets: TokenBucket[];

  constructor(plan: readonly PlanLimit[], now: number) {
    this.buckets = plan.map((p) => new TokenBucket(p, now));
  }

  /** Ms until a call is allowed (0 when it is now). */
  waitMs(now: number): number {
    return Math.max(0, ...this.buckets.map((b) => b.waitMs(now)));
  }

  /** Takes a token from every window, or none when any window is empty. */
  tryTake(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    for (const b of this.buckets) b.tryTake(now);
    return true;
  }

  /** Reports that a call made with these tokens has completed (see `TokenBucket.complete`). */
  complete(now: number): void {
    for (const b of this.buckets) b.complete(now);
  }

  /** Returns the tokens of a call that was not made. */
  giveBack(now: number): void {
    for (const b of this.buckets) b.giveBack(now);
  }

  /** Pauses every window for `ms` (provider said so). */
  pause(now: number, ms: number): void {
    for (const b of this.buckets) b.pause(now, ms);
  }

  /** Smallest share of capacity left over the windows, 0..1 (1 with no limits). */
  headroom(now: number): number {
    if (this.buckets.length === 0) return 1;
    return Math.min(...this.buckets.map((b) => b.available(now) / b.capacity));
  }
}
