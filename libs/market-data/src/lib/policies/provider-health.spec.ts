import { ProviderHealthTracker, quantile } from './provider-health';

const live = { breaker: 'closed' as const, limiterHeadroom: 1, usableKeys: 1 };

describe('quantile', () => {
  it('returns the nearest-rank value and null for no samples', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('ProviderHealthTracker', () => {
  const now = 1_000_000;
  const tracker = (): ProviderHealthTracker =>
    new ProviderHealthTracker({
      latencyTargetMs: 100,
      maxDataAgeMs: 60_000,
      now: () => now,
      window: 10,
    });

  it('scores success rate times latency when the breaker is closed', () => {
    const t = tracker();
    for (let i = 0; i < 8; i++)
      t.record('finnhub', { latencyMs: 50, ok: true });
    t.record('finnhub', { kind: 'timeout', latencyMs: 400, ok: false });
    t.record('finnhub', { kind: 'timeout', latencyMs: 400, ok: false });
    const h = t.snapshot('finnhub', live);
    expect(h.successRate).toBe(0.8);
    expect(h.latencyMs.p95).toBe(400);
    expect(h.score).toBe(0.2);
    expect(h.lastError).toBe('timeout');
  });

  it('keeps only the configured window of calls', () => {
    const t = tracker();
    for (let i = 0; i < 10; i++)
      t.record('polygon', { kind: 'upstream', latencyMs: 10, ok: false });
    for (let i = 0; i < 10; i++)
      t.record('polygon', { latencyMs: 10, ok: true });
    expect(t.snapshot('polygon', live)).toMatchObject({
      samples: 10,
      score: 1,
      successRate: 1,
    });
  });

  it('halves the score when the newest price is older than the freshness limit', () => {
    const t = tracker();
    t.record('alphavantage', { latencyMs: 10, ok: true });
    t.recordData('alphavantage', now - 120_000);
    expect(t.snapshot('alphavantage', live)).toMatchObject({
      dataAgeMs: 120_000,
      score: 0.5,
    });
  });

  it('scores zero with an open breaker or without a usable key', () => {
    const t = tracker();
    t.record('finnhub', { latencyMs: 10, ok: true });
    expect(t.snapshot('finnhub', { ...live, breaker: 'open' }).score).toBe(0);
    expect(t.snapshot('finnhub', { ...live, usableKeys: 0 }).score).toBe(0);
    expect(t.snapshot('finnhub', { ...live, breaker: 'half_open' }).score).toBe(
      0.5,
    );
  });
});
