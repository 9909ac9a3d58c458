import { epochMsToZoned, zonedToEpochMs } from './exchange-time';

describe('zonedToEpochMs', () => {
  it('converts a winter US/Eastern wall time (UTC-5)', () => {
    expect(new Date(zonedToEpochMs('2025-11-06 19:55:00')).toISOString()).toBe(
      '2025-11-07T00:55:00.000Z',
    );
  });

  it('converts a summer US/Eastern wall time (UTC-4)', () => {
    expect(new Date(zonedToEpochMs('2025-07-01 09:30:00')).toISOString()).toBe(
      '2025-07-01T13:30:00.000Z',
    );
  });

  it('returns NaN for a value that is not a date', () => {
    expect(zonedToEpochMs('yesterday')).toBeNaN();
  });

  it('round-trips with epochMsToZoned', () => {
    const ms = Date.UTC(2026, 2, 9, 15, 0, 0);
    expect(zonedToEpochMs(epochMsToZoned(ms))).toBe(ms);
  });
});
