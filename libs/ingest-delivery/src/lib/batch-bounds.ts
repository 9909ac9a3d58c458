/**
 * How many stream entries to ask Redis for, so that one read stays within a
 * batch's byte bound as well as its entry bound. `XREADGROUP COUNT` only
 * bounds entries: with entries of 400 kB (a 500-record OTLP request as
 * `_bulk` lines), a COUNT of 200 could return 80 MB in one reply, held
 * whole by Redis, the client and the batch. The count is derived from the
 * entries seen so far (a moving average of their sizes); before any, it is
 * the entry bound.
 */
export class BatchReadBounds {
  private averageBytes = 0;

  /**
   * @param maxEntries entries per batch (the read count never exceeds it)
   * @param maxBytes bytes per batch (whole entries; one entry may exceed it)
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  /** Records the sizes of entries just read. */
  observe(entryBytes: readonly number[]): void {
    for (const bytes of entryBytes)
      this.averageBytes =
        this.averageBytes === 0 ? bytes : 0.8 * this.averageBytes + 0.2 * bytes;
  }

  /**
   * Entries to read for a batch that already holds `entries` entries of
   * `bytes` bytes: as many of the average size as fit in both bounds; for
   * an empty batch at least 1; for a started one 0 once another entry of
   * the average size would not fit (the batch is full: a last entry over
   * the bound would become a small `_bulk` request of its own).
   */
  count(entries = 0, bytes = 0): number {
    const room = this.maxEntries - entries;
    if (room <= 0 || bytes >= this.maxBytes) return 0;
    if (this.averageBytes === 0) return room;
    const fit = Math.floor((this.maxBytes - bytes) / this.averageBytes);
    return Math.min(room, entries === 0 ? Math.max(1, fit) : fit);
  }
}
