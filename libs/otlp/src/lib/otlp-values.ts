// Low-level conversions shared by the decoders and the ECS mapping.

/** A protobufjs 64-bit value: a `Long` when long.js is loaded, else a number. */
export type PbInt64 =
  number | { high: number; low: number; unsigned?: boolean };

const TWO_POW_32 = 4294967296;

/** Unsigned 64-bit (fixed64, uint64) → decimal string. */
export function uint64ToString(v: PbInt64): string {
  if (typeof v === 'number') return String(v);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  if (hi === 0) return String(lo);
  if (hi < 0x200000) return String(hi * TWO_POW_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** Signed 64-bit (int64, sfixed64) → decimal string. */
export function int64ToString(v: PbInt64): string {
  if (typeof v === 'number') return String(v);
  if (v.unsigned) return uint64ToString(v);
  const hi = v.high | 0;
  const lo = v.low >>> 0;
  if (hi >= 0 && hi < 0x200000) return String(hi * TWO_POW_32 + lo);
  if (hi < 0 && hi >= -0x200000) return String(hi * TWO_POW_32 + lo);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo)).toString();
}

/** A decimal int64 string → number when it is a safe integer, else the string. */
export function int64ToJs(s: string): number | string {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

/** A decimal int64 string → number (rounded beyond 2^53). */
export function int64ToNumber(s: string): number {
  return Number(s);
}

/**
 * Nanoseconds since the epoch (decimal string) → ISO 8601 with millisecond
 * precision, or `undefined` when zero (unset).
 */
export function nanosToIso(ns: string): string | undefined {
  if (ns === '0' || ns === '') return undefined;
  const ms = ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
  // Records of one batch mostly share their second: format it once.
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const frac = ms - second * 1000;
  return `${cachedPrefix}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

let cachedSecond = NaN;
let cachedPrefix = '';

/**
 * Milliseconds of an unsigned 64-bit nanosecond time given as two 32-bit
 * halves: what `Number(ns.slice(0, -6))` gives for its decimal string, without
 * the string (times of today are beyond 2^53 ns, so not as one division).
 */
export function nanosPartsToMs(hi: number, lo: number): number {
  // hi·2^32 = hi·4294·10^6 + hi·967296: the rest stays below 2^53.
  const rest = hi * 967296 + lo;
  let ms = Math.floor(rest / 1e6);
  if (ms * 1e6 > rest) ms--; // the division rounded up
  return hi * 4294 + ms;
}

/**
 * Writes {@link nanosToIso} of a time of `ms` milliseconds into `out` at
 * `at` (ASCII, as many bytes as the string); returns the end.
 */
export function writeIsoMs(out: Uint8Array, at: number, ms: number): number {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    isoPrefix = Buffer.from(
      new Date(second * 1000).toISOString().slice(0, -4),
      'latin1',
    );
    isoSecond = second;
  }
  const prefix = isoPrefix;
  for (let i = 0; i < prefix.length; i++) out[at++] = prefix[i];
  const frac = ms - second * 1000;
  out[at++] = 48 + Math.floor(frac / 100);
  out[at++] = 48 + (Math.floor(frac / 10) % 10);
  out[at++] = 48 + (frac % 10);
  out[at++] = 90; // Z
  return at;
}

let isoSecond = NaN;
let isoPrefix = Buffer.alloc(0);

/** Duration in nanoseconds between two decimal nanosecond strings (0 when end < start). */
export function nanosBetween(start: string, end: string): number {
  if (start.length < 16 && end.length < 16) {
    return Math.max(0, Number(end) - Number(start));
  }
  const d = BigInt(end) - BigInt(start);
  return d > 0n ? Number(d) : 0;
}

/** Bytes → lowercase hex. */
export function bytesToHex(b: Uint8Array): string {
  if (b.length === 0) return '';
  return (
    Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  ).toString('hex');
}

/** Bytes → base64. */
export function bytesToBase64(b: Uint8Array): string {
  return (
    Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  ).toString('base64');
}

/** A double → its proto3-JSON form (non-finite values become strings). */
export function toOtlpDouble(
  n: number,
): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return 'NaN';
  return n > 0 ? 'Infinity' : '-Infinity';
}

/** A proto3-JSON double → a JSON number, `null` for non-finite values. */
export function doubleToJs(d: number | string): number | null {
  return typeof d === 'number' ? d : null;
}

/** True for `''` and for an all-zero hex id (both mean "no id"). */
export function isEmptyId(hex: string): boolean {
  if (hex === '') return true;
  for (let i = 0; i < hex.length; i++)
    if (hex.charCodeAt(i) !== 48) return false;
  return true;
}
