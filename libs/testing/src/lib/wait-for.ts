/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /**
   * What is being waited for; it names the condition in the timeout error.
   * @default 'condition'
   */
  description?: string;
  /**
   * Pause between two checks, in milliseconds.
   * @default 100
   */
  intervalMs?: number;
  /** Stops waiting early: `waitFor` rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Give up after this many milliseconds.
   * @default 10000
   */
  timeoutMs?: number;
}

/**
 * Thrown by {@link waitFor} when the condition does not hold in time. `cause` keeps the
 * last error the predicate threw, if any.
 */
export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';

  constructor(
    readonly description: string,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${description}` +
        (cause instanceof Error ? ` (last error: ${cause.message})` : ''),
      { cause },
    );
  }
}

/**
 * Polls `predicate` until it returns a truthy value and returns that value. A predicate
 * that throws counts as "not yet". An aborted `signal` ends the wait at once. Bounded: throws {@link WaitForTimeoutError} naming
 * `description` once `timeoutMs` has passed.
 *
 * @example
 * await waitFor(async () => (await fetch(url)).ok, { description: 'Prometheus /-/ready' });
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const {
    description = 'condition',
    intervalMs = 100,
    signal,
    timeoutMs = 10_000,
  } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await predicate();
      if (value) {
        return value;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new WaitForTimeoutError(description, timeoutMs, lastError);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
