import {
  int64ToString,
  isEmptyId,
  nanosBetween,
  nanosToIso,
  uint64ToString,
} from './otlp-values';

describe('nanosToIso', () => {
  it.each([
    ['1700000000987654321', '2023-11-14T22:13:20.987Z'],
    ['1700000000007000000', '2023-11-14T22:13:20.007Z'],
    ['1700000001050000000', '2023-11-14T22:13:21.050Z'],
    ['1700000000000000000', '2023-11-14T22:13:20.000Z'],
    ['999999', '1970-01-01T00:00:00.000Z'],
    ['18446744073709551615', '2554-07-21T23:34:33.709Z'],
  ])('formats %s as %s', (ns, iso) => {
    expect(nanosToIso(ns)).toBe(iso);
  });

  it('treats 0 as unset', () => {
    expect(nanosToIso('0')).toBeUndefined();
  });
});

describe('uint64ToString / int64ToString', () => {
  it.each([
    [{ high: 0, low: 42, unsigned: true }, '42'],
    [{ high: 0x1fffff, low: -1, unsigned: true }, '9007199254740991'],
    [{ high: -1, low: -1, unsigned: true }, '18446744073709551615'],
    [{ high: 410956566, low: -1234567, unsigned: true }, '1765045015340198265'],
  ])('formats unsigned %j as %s', (v, s) => {
    expect(uint64ToString(v)).toBe(s);
  });

  it.each([
    [{ high: -1, low: -1 }, '-1'],
    [{ high: -0x80000000, low: 0 }, '-9223372036854775808'],
    [{ high: 0x7fffffff, low: -1 }, '9223372036854775807'],
    [7, '7'],
  ])('formats signed %j as %s', (v, s) => {
    expect(int64ToString(v)).toBe(s);
  });
});

describe('nanosBetween', () => {
  it('subtracts large nanosecond strings exactly', () => {
    expect(nanosBetween('1764028800000000001', '1764028800250000002')).toBe(
      250000001,
    );
  });

  it('is 0 when end precedes start', () => {
    expect(nanosBetween('20', '10')).toBe(0);
  });
});

describe('isEmptyId', () => {
  it('treats empty and all-zero ids as empty', () => {
    expect(isEmptyId('')).toBe(true);
    expect(isEmptyId('0000000000000000')).toBe(true);
    expect(isEmptyId('0000000000000001')).toBe(false);
  });
});
