/**
 * How the delay is randomised within its exponential ceiling `d`:
 * - `full`: uniform in `[0, d)`, which spreads retrying writers the most;
 * - `equal`: uniform in `[d/2, d]`, which still spreads them yet keeps every
 *   delay at least half the ceiling (a reconnect or a delivery never retries
 *   at once).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export type BackoffJitter = 'equal' | 'full';

/** Options of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  baseMs: number;
  /** @default 'full' */
  jitter?: BackoffJitter;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The delay before retry number `retry` (0 for the first retry): exponential
 * backoff with jitter, ceiling `min(maxMs, baseMs * 2^retry)`, in whole ms.
 * The one backoff of the platform: Elasticsearch bulk retries, webhook
 * deliveries and provider socket reconnects all use it.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelayMs(
  retry: number,
  { baseMs, jitter = 'full', maxMs, random = Math.random }: BackoffOptions,
): number {
  // Clamped so 2^retry neither underflows for a bad index nor overflows.
  const exponent = Math.min(Math.max(0, retry), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return jitter === 'full'
    ? Math.floor(random() * ceiling)
    : Math.round(ceiling / 2 + random() * (ceiling / 2));
}
