/**
 * Marks `key` as the most recently used entry of a Map used as an LRU: a
 * Map iterates in insertion order, so re-inserting moves it last.
 */
export function touchLru<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/**
 * Drops the least recently used (first inserted) entries of a Map used as
 * an LRU until it holds at most `limit`. Call it after inserting, or with
 * `limit - 1` before inserting to make room.
 */
export function evictLru<K, V>(map: Map<K, V>, limit: number): void {
  while (map.size > Math.max(0, limit)) {
    const first = map.keys().next();
    if (first.done === true) return;
    map.delete(first.value);
  }
}
