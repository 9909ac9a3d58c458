import { OrderedMap } from '@js-sdsl/ordered-map';

/**
 * A map from a numeric key (a threshold, a re-arm time) to a set of values
 * keyed by id, kept sorted by key in a red-black tree (`@js-sdsl/ordered-map`),
 * so that a range query costs O(log n + k) for k results.
 */
export class SortedMultimap<V> {
  private readonly tree = new OrderedMap<number, Map<string, V>>();
  private count = 0;

  /** Number of values stored. */
  get size(): number {
    return this.count;
  }

  /** Adds `value` under `key` with identity `id` (replaces an equal id). */
  add(key: number, id: string, value: V): void {
    let bucket = this.tree.getElementByKey(key);
    if (!bucket) {
      bucket = new Map();
      this.tree.setElement(key, bucket);
    }
    if (!bucket.has(id)) this.count++;
    bucket.set(id, value);
  }

  /** Removes the value `id` stored under `key`; returns whether it was there. */
  delete(key: number, id: string): boolean {
    const bucket = this.tree.getElementByKey(key);
    if (!bucket?.delete(id)) return false;
    this.count--;
    if (bucket.size === 0) this.tree.eraseElementByKey(key);
    return true;
  }

  /** The smallest key, or undefined when empty. O(log n), no allocation. */
  minKey(): number | undefined {
    return this.count === 0 ? undefined : this.tree.front()?.[0];
  }

  /** Values stored under exactly `key`, without copying them (do not modify while iterating). */
  at(key: number): Iterable<V> {
    return this.tree.getElementByKey(key)?.values() ?? [];
  }

  /**
   * Values whose key lies in the range, in key order. Bounds are optional;
   * `loInclusive`/`hiInclusive` say whether the bound itself matches.
   */
  range(query: {
    hi?: number;
    hiInclusive?: boolean;
    lo?: number;
    loInclusive?: boolean;
  }): V[] {
    const out: V[] = [];
    const end = this.tree.end();
    let it =
      query.lo === undefined
        ? this.tree.begin()
        : query.loInclusive
          ? this.tree.lowerBound(query.lo)
          : this.tree.upperBound(query.lo);
    while (!it.equals(end)) {
      const [key, bucket] = it.pointer;
      if (query.hi !== undefined) {
        if (key > query.hi || (key === query.hi && !query.hiInclusive)) break;
      }
      for (const value of bucket.values()) out.push(value);
      it = it.next();
    }
    return out;
  }
}
