import { backoffDelayMs } from './backoff';

const TOP = () => 0.999999;
const BOTTOM = () => 0;

describe('backoffDelayMs', () => {
  describe('full jitter', () => {
    it('doubles the ceiling with each retry, starting at baseMs', () => {
      const delays = [0, 1, 3].map((retry) =>
        backoffDelayMs(retry, { baseMs: 100, maxMs: 60_000, random: TOP }),
      );
      expect(delays).toEqual([99, 199, 799]);
    });

    it('may retry at once', () => {
      expect(
        backoffDelayMs(4, { baseMs: 100, maxMs: 60_000, random: BOTTOM }),
      ).toBe(0);
    });
  });

  describe('equal jitter', () => {
    it('keeps every delay between half the ceiling and the ceiling', () => {
      const options = { baseMs: 100, jitter: 'equal', maxMs: 60_000 } as const;
      expect(
        [0, 1, 2].map((r) => backoffDelayMs(r, { ...options, random: BOTTOM })),
      ).toEqual([50, 100, 200]);
      expect(
        [0, 1, 2].map((r) => backoffDelayMs(r, { ...options, random: TOP })),
      ).toEqual([100, 200, 400]);
    });

    it('spreads delays with the default random source', () => {
      const delays = Array.from({ length: 50 }, () =>
        backoffDelayMs(4, { baseMs: 100, jitter: 'equal', maxMs: 60_000 }),
      );
      expect(new Set(delays).size).toBeGreaterThan(1);
      for (const d of delays) {
        expect(d).toBeGreaterThanOrEqual(800);
        expect(d).toBeLessThanOrEqual(1600);
      }
    });
  });

  it.each(['full', 'equal'] as const)(
    'never exceeds maxMs however late the retry (%s jitter)',
    (jitter) => {
      expect(
        backoffDelayMs(5000, { baseMs: 100, jitter, maxMs: 1000, random: TOP }),
      ).toBeLessThanOrEqual(1000);
    },
  );

  it('treats a negative retry index as the first retry', () => {
    expect(backoffDelayMs(-3, { baseMs: 100, maxMs: 1000, random: TOP })).toBe(
      99,
    );
  });
});
