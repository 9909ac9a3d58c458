/**
 * Collapses concurrent calls with the same key into one: the first caller
 * runs `fn`, the others await its promise. The entry is removed when the
 * promise settles, so a later call runs `fn` again.
 *
 * Hand-written (a dozen lines) rather than a dependency: the npm
 * single-flight packages are unmaintained or pull in a cache we already have.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  /** Number of keys with a call in flight. */
  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Runs `fn` once per key at a time.
   * @returns the result and whether this caller joined a call already in flight
   */
  async do(
    key: string,
    fn: () => Promise<T>,
  ): Promise<{ joined: boolean; value: T }> {
    const existing = this.inFlight.get(key);
    if (existing) return { joined: true, value: await existing };
    const promise = fn().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return { joined: false, value: await promise };
  }
}
