import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles the ceiling on each attempt and keeps at least half of it', () => {
    const low = [1, 2, 3, 4].map((a) =>
      backoffDelay(a, { baseMs: 100, random: () => 0 }),
    );
    const high = [1, 2, 3, 4].map((a) =>
      backoffDelay(a, { baseMs: 100, random: () => 0.999999 }),
    );
    expect(low).toEqual([50, 100, 200, 400]);
    expect(high).toEqual([100, 200, 400, 800]);
  });

  it('caps the delay at maxMs', () => {
    expect(
      backoffDelay(30, { baseMs: 100, maxMs: 1000, random: () => 0.999999 }),
    ).toBe(1000);
  });

  it('spreads concurrent retries with jitter', () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => backoffDelay(5, { baseMs: 100 })),
    );
    expect(delays.size).toBeGreaterThan(10);
  });
});
