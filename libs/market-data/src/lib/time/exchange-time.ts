/** IANA zone of US exchanges; Alpha Vantage names it `US/Eastern`. */
export const US_EASTERN = 'America/New_York';

function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
    minute: '2-digit',
    month: '2-digit',
    second: '2-digit',
    timeZone,
    year: 'numeric',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number =>
    Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Converts an exchange-local wall-clock time without offset
 * (`2025-11-06 19:55:00` or `2025-11-06`) in `timeZone` to epoch ms.
 * Returns `NaN` for an unparsable value.
 */
export function zonedToEpochMs(
  local: string,
  timeZone: string = US_EASTERN,
): number {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(
      local.trim(),
    );
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
  );
  // Two passes settle the offset around DST changes.
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** Formats epoch ms as exchange-local `YYYY-MM-DD HH:MM:SS` (what Alpha Vantage sends). */
export function epochMsToZoned(
  ms: number,
  timeZone: string = US_EASTERN,
): string {
  const local = new Date(ms + zoneOffsetMs(ms, timeZone));
  return local.toISOString().slice(0, 19).replace('T', ' ');
}

/** Maps Alpha Vantage's `US/Eastern` style names to IANA zone ids. */
export function normaliseZone(zone: string | undefined): string {
  if (!zone) return US_EASTERN;
  return zone === 'US/Eastern' ? US_EASTERN : zone;
}
