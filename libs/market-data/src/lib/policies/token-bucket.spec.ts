import { TokenBucket } from './token-bucket';

/** Largest number of calls in any half-open window [t, t + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('TokenBucket', () => {
  describe.each([
    { limit: 60, windowMs: 60_000 },
    { limit: 5, windowMs: 60_000 },
    { limit: 1, windowMs: 1000 },
    { limit: 25, windowMs: 86_400_000 },
    { limit: 30, windowMs: 1000, burst: 30 },
  ])('with a plan of $limit per $windowMs ms', (plan) => {
    it('never allows more than the limit in any window under continuous demand', () => {
      const bucket = new TokenBucket(plan, 0);
      const taken: number[] = [];
      const step = Math.max(1, Math.floor(plan.windowMs / 2000));
      for (let now = 0; now <= plan.windowMs * 5; now += step) {
        while (bucket.tryTake(now)) taken.push(now);
      }
      expect(taken.length).toBeGreaterThan(plan.limit);
      expect(maxInWindow(taken, plan.windowMs)).toBeLessThanOrEqual(plan.limit);
    });
  });

  it('starts with half the limit as burst by default', () => {
    const bucket = new TokenBucket({ limit: 60, windowMs: 60_000 }, 0);
    let n = 0;
    while (bucket.tryTake(0)) n++;
    expect(n).toBe(30);
  });

  it('refuses tokens until the Retry-After pause ends', () => {
    const bucket = new TokenBucket({ limit: 60, windowMs: 60_000 }, 0);
    bucket.pause(0, 5000);
    expect(bucket.tryTake(4999)).toBe(false);
    expect(bucket.waitMs(1000)).toBeGreaterThanOrEqual(4000);
    expect(bucket.tryTake(6000)).toBe(true);
  });

  it('reports the wait until the next token', () => {
    const bucket = new TokenBucket({ limit: 1, windowMs: 1000 }, 0);
    expect(bucket.tryTake(0)).toBe(true);
    expect(bucket.waitMs(0)).toBeGreaterThan(990);
  });
});

describe('TokenBucket#complete', () => {
  it('spaces a one-call-per-window plan from the previous call completion', () => {
    const bucket = new TokenBucket({ limit: 1, windowMs: 1000 }, 0);
    expect(bucket.tryTake(0)).toBe(true);
    bucket.complete(900);
    expect(bucket.tryTake(1800)).toBe(false);
    expect(bucket.tryTake(1900)).toBe(true);
  });

  it('leaves larger plans to the refill rate', () => {
    const bucket = new TokenBucket(
      { burst: 1, limit: 60, windowMs: 60_000 },
      0,
    );
    expect(bucket.tryTake(0)).toBe(true);
    bucket.complete(10);
    expect(bucket.waitMs(10)).toBeLessThan(1500);
  });
});
