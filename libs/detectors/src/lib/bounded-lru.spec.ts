import { evictLru, touchLru } from './bounded-lru';

describe('bounded LRU helpers', () => {
  it('evicts the least recently used entries down to the limit', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    touchLru(map, 'a', 1);
    evictLru(map, 2);
    expect([...map.keys()]).toEqual(['c', 'a']);
    evictLru(map, 0);
    expect(map.size).toBe(0);
  });
});
