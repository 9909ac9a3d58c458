/** Bounds of a {@link SortedMultimap.range} query; each bound is optional. */
export interface KeyRange {
  hi?: number;
  /** Whether a key equal to `hi` matches. */
  hiInclusive?: boolean;
  lo?: number;
  /** Whether a key equal to `lo` matches. */
  loInclusive?: boolean;
}

/**
 * A map from a numeric key (a threshold, a re-arm time) to a set of values
 * keyed by id, kept sorted by key in two parallel arrays (distinct keys, and
 * one bucket per key). A range query is a binary search plus the k results,
 * O(log n + k), with no allocation besides the output; adding or removing a
 * key moves the array tail (`splice`), which for the few thousand distinct
 * keys a symbol's rule family holds costs less than a tree node allocation.
 * The smallest key is read in O(1) (the re-arm check of every tick).
 */
export class SortedMultimap<V> {
  private readonly buckets: Array<Map<string, V>> = [];
  private count = 0;
  private readonly keys: number[] = [];

  /** Number of values stored. */
  get size(): number {
    return this.count;
  }

  /** Adds `value` under `key` with identity `id` (replaces an equal id). */
  add(key: number, id: string, value: V): void {
    const i = this.lowerBound(key);
    let bucket: Map<string, V>;
    if (i < this.keys.length && this.keys[i] === key) {
      bucket = this.buckets[i];
    } else {
      bucket = new Map();
      this.keys.splice(i, 0, key);
      this.buckets.splice(i, 0, bucket);
    }
    if (!bucket.has(id)) this.count++;
    bucket.set(id, value);
  }

  /** Removes the value `id` stored under `key`; returns whether it was there. */
  delete(key: number, id: string): boolean {
    const i = this.lowerBound(key);
    if (i >= this.keys.length || this.keys[i] !== key) return false;
    const bucket = this.buckets[i];
    if (!bucket.delete(id)) return false;
    this.count--;
    if (bucket.size === 0) {
      this.keys.splice(i, 1);
      this.buckets.splice(i, 1);
    }
    return true;
  }

  /** The smallest key, or undefined when empty. O(1). */
  minKey(): number | undefined {
    return this.keys.length === 0 ? undefined : this.keys[0];
  }

  /** Values stored under exactly `key`, without copying them (do not modify while iterating). */
  at(key: number): Iterable<V> {
    const i = this.lowerBound(key);
    return i < this.keys.length && this.keys[i] === key
      ? this.buckets[i].values()
      : [];
  }

  /**
   * Values whose key lies in the range, in key order, appended to `out`
   * (a new array when not given), which is returned.
   */
  range(query: KeyRange, out: V[] = []): V[] {
    this.collect(
      query.lo ?? -Infinity,
      query.loInclusive ?? false,
      query.hi ?? Infinity,
      query.hiInclusive ?? false,
      out,
    );
    return out;
  }

  /**
   * {@link range} for the hot path, without a query object: appends the
   * values with `lo < key < hi` (`<=` where inclusive) to `out`, in key order.
   */
  collect(
    lo: number,
    loInclusive: boolean,
    hi: number,
    hiInclusive: boolean,
    out: V[],
  ): void {
    let i = loInclusive ? this.lowerBound(lo) : this.upperBound(lo);
    const end = hiInclusive ? this.upperBound(hi) : this.lowerBound(hi);
    for (; i < end; i++) {
      for (const value of this.buckets[i].values()) out.push(value);
    }
  }

  /** Index of the first key `>= key`. */
  private lowerBound(key: number): number {
    return this.firstIndex(key, false);
  }

  /** Index of the first key `> key`. */
  private upperBound(key: number): number {
    return this.firstIndex(key, true);
  }

  /** Index of the first key `> key` (`after`) or `>= key`, by binary search. */
  private firstIndex(key: number, after: boolean): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key || (after && keys[mid] === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
