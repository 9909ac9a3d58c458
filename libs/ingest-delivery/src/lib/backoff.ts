/** Options of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Delay cap. @default 30000 */
  maxMs?: number;
  /** First delay before jitter. @default 200 */
  baseMs?: number;
  /** Random source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: a random delay in
 * `[0, min(maxMs, baseMs * 2^attempt))`, so retrying writers spread out.
 * @param attempt 0 for the first retry
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 30_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
