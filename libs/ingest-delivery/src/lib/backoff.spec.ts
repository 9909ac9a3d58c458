import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('doubles the ceiling with each attempt', () => {
    const top = () => 0.999999;
    expect(backoffDelayMs(0, { baseMs: 100, random: top })).toBe(99);
    expect(backoffDelayMs(1, { baseMs: 100, random: top })).toBe(199);
    expect(backoffDelayMs(3, { baseMs: 100, random: top })).toBe(799);
  });

  it('never exceeds the cap', () => {
    expect(
      backoffDelayMs(50, { baseMs: 100, maxMs: 1000, random: () => 0.999 }),
    ).toBeLessThan(1000);
  });

  it('spreads retries over the whole window (full jitter)', () => {
    expect(backoffDelayMs(4, { baseMs: 100, random: () => 0 })).toBe(0);
  });
});
