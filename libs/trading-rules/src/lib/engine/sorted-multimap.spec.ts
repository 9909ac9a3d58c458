import { SortedMultimap } from './sorted-multimap';

describe('SortedMultimap', () => {
  const map = new SortedMultimap<string>();
  beforeAll(() => {
    map.add(10, 'a', 'a10');
    map.add(10, 'b', 'b10');
    map.add(20, 'c', 'c20');
    map.add(30, 'd', 'd30');
  });

  it.each([
    [{ hi: 20 }, ['a10', 'b10']],
    [{ hi: 20, hiInclusive: true }, ['a10', 'b10', 'c20']],
    [{ lo: 10 }, ['c20', 'd30']],
    [{ lo: 10, loInclusive: true }, ['a10', 'b10', 'c20', 'd30']],
    [{ hi: 30, lo: 10 }, ['c20']],
    [{ hi: 5 }, []],
  ])('returns the values in range %j in key order', (query, expected) => {
    expect(map.range(query)).toEqual(expected);
  });

  it('removes a value and its empty bucket', () => {
    const m = new SortedMultimap<number>();
    m.add(1, 'x', 1);
    expect(m.delete(1, 'x')).toBe(true);
    expect(m.delete(1, 'x')).toBe(false);
    expect(m.size).toBe(0);
    expect(m.range({})).toEqual([]);
  });
});
