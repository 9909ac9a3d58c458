import { cronLatencySeconds, parseDuration, rangeOf, windowOf } from './window';

describe('the report window', () => {
  it('parses durations and rejects anything else naming the accepted forms', () => {
    expect(parseDuration('14d')).toBe(14 * 86_400);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('2w')).toBe(1_209_600);
    for (const bad of ['', '14', '0d', '1y', '-3d', '14 days', '1e3s']) {
      expect(() => parseDuration(bad)).toThrow(
        /expected a positive duration like 14d/,
      );
    }
  });

  it('ends now and keeps about 96 points per series', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    const w = windowOf('14d', now);
    expect(w.start.toISOString()).toBe('2026-11-16T12:00:00.000Z');
    expect(w.stepSeconds).toBe(12_600);
    expect(rangeOf(w)).toBe('1209600s');
    expect(windowOf('10m', now).stepSeconds).toBe(15);
  });

  it('waits for the next full hour under the legacy cron', () => {
    expect(cronLatencySeconds(new Date('2026-11-30T12:00:01Z'))).toBe(3599);
    expect(cronLatencySeconds(new Date('2026-11-30T12:45:00Z'))).toBe(900);
    expect(cronLatencySeconds(new Date('2026-11-30T13:00:00Z'))).toBe(0);
  });
});
