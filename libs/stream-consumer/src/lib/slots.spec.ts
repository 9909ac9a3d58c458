import { groupBySlot, hashTagged, slotOf } from './slots';

describe('slotOf', () => {
  it('hashes whole keys as the cluster specification does', () => {
    // Values from the specification's reference implementation (CRC16 XModem mod 16384).
    expect(slotOf('123456789')).toBe(0x31c3);
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('bar')).toBe(5061);
  });

  it('hashes only the hash tag when the key has a non-empty one', () => {
    expect(slotOf('{user1000}.following')).toBe(slotOf('user1000'));
    expect(slotOf('{user1000}.followers')).toBe(slotOf('user1000'));
    expect(slotOf('foo{}{bar}')).toBe(slotOf('foo{}{bar}'));
    expect(slotOf('foo{}{bar}')).not.toBe(slotOf('bar'));
    expect(slotOf('foo{{bar}}zap')).toBe(slotOf('{bar'));
    expect(slotOf('foo{bar}{zap}')).toBe(slotOf('bar'));
  });
});

describe('hashTagged / groupBySlot', () => {
  it('puts every key of one partition in one slot and keeps key order', () => {
    const keys = [0, 1, 2].flatMap((p) => [
      hashTagged('freeride:records:logs', p),
      hashTagged('freeride:records:metrics', p),
    ]);
    expect(keys[0]).toBe('freeride:records:logs:{0}');
    const groups = groupBySlot(keys);
    expect(groups).toEqual([
      ['freeride:records:logs:{0}', 'freeride:records:metrics:{0}'],
      ['freeride:records:logs:{1}', 'freeride:records:metrics:{1}'],
      ['freeride:records:logs:{2}', 'freeride:records:metrics:{2}'],
    ]);
  });
});
