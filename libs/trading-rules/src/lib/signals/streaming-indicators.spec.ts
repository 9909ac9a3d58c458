import { BollingerBands, EMA, MACD, RSI, SMA } from 'trading-signals';

import { Bollinger, Ema, Macd, Rsi, Sma } from './streaming-indicators';

/** A deterministic random walk (xorshift), so failures reproduce. */
function walk(n: number, seed: number): number[] {
  let x = seed;
  let price = 100;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    price = Math.max(1, price + ((x >>> 0) / 2 ** 32 - 0.5) * 2);
    out.push(Math.round(price * 100) / 100);
  }
  return out;
}

const CLOSES = walk(600, 42);

/**
 * Feeds both implementations every close and answers where ours first has a
 * value and the largest relative difference from the reference after that.
 */
function compare(
  mine: (close: number) => number[] | undefined,
  ref: (close: number) => Array<number | null | undefined>,
): { firstDefined: number; maxRelDiff: number } {
  let firstDefined = -1;
  let maxRelDiff = 0;
  for (const [i, c] of CLOSES.entries()) {
    const a = mine(c);
    const b = ref(c);
    if (a === undefined) continue;
    if (firstDefined < 0) firstDefined = i;
    for (const [k, v] of a.entries()) {
      const r = b[k];
      const diff =
        r === null || r === undefined
          ? Infinity
          : Math.abs(v - r) / Math.max(1, Math.abs(r));
      maxRelDiff = Math.max(maxRelDiff, diff);
    }
  }
  return { firstDefined, maxRelDiff };
}

describe('streaming indicators against trading-signals', () => {
  it.each([5, 20, 50])('Sma(%i) matches SMA from its n-th close', (n) => {
    const mine = new Sma(n);
    const ref = new SMA(n);
    const out = compare(
      (c) => (
        mine.update(c),
        mine.value === undefined ? undefined : [mine.value]
      ),
      (c) => [ref.update(c, false)],
    );
    expect(out.firstDefined).toBe(n - 1);
    expect(out.maxRelDiff).toBeLessThan(1e-9);
  });

  it.each([5, 20, 50])('Ema(%i) matches EMA once stable', (n) => {
    const mine = new Ema(n);
    const ref = new EMA(n);
    const out = compare(
      (c) => (
        mine.update(c),
        mine.value === undefined ? undefined : [mine.value]
      ),
      (c) => (
        ref.update(c, false),
        [ref.isStable ? ref.getResultOrThrow() : null]
      ),
    );
    expect(out.firstDefined).toBe(n - 1);
    expect(out.maxRelDiff).toBeLessThan(1e-9);
  });

  it.each([7, 14, 21])('Rsi(%i) matches Wilder RSI once stable', (n) => {
    const mine = new Rsi(n);
    const ref = new RSI(n);
    const out = compare(
      (c) => (
        mine.update(c),
        mine.value === undefined ? undefined : [mine.value]
      ),
      (c) => [ref.update(c, false)],
    );
    expect(out.firstDefined).toBe(n);
    expect(out.maxRelDiff).toBeLessThan(1e-9);
  });

  it('Macd(12, 26, 9) matches MACD once its signal line is stable', () => {
    const mine = new Macd(12, 26, 9);
    const ref = new MACD(new EMA(12), new EMA(26), new EMA(9));
    const out = compare(
      (c) => {
        mine.update(c);
        const v = mine.value;
        return v === undefined ? undefined : [v.macd, v.signal];
      },
      (c) => {
        const r = ref.update(c, false);
        return [r?.macd, r?.signal];
      },
    );
    expect(out.firstDefined).toBe(26 - 1 + 9 - 1);
    expect(out.maxRelDiff).toBeLessThan(1e-9);
  });

  it.each([
    [20, 2],
    [10, 1.5],
  ])('Bollinger(%i, %f) matches BollingerBands from the n-th close', (n, k) => {
    const mine = new Bollinger(n, k);
    const ref = new BollingerBands(n, k);
    const out = compare(
      (c) => {
        mine.update(c);
        const v = mine.value;
        return v === undefined ? undefined : [v.lower, v.middle, v.upper];
      },
      (c) => {
        const r = ref.update(c, false);
        return [r?.lower, r?.middle, r?.upper];
      },
    );
    expect(out.firstDefined).toBe(n - 1);
    expect(out.maxRelDiff).toBeLessThan(1e-8);
  });

  it('keeps Bollinger bands exact on a flat price (no negative variance)', () => {
    const mine = new Bollinger(20, 2);
    for (let i = 0; i < 100; i++) mine.update(123.45);
    expect(mine.value).toEqual({
      lower: 123.45,
      middle: 123.45,
      upper: 123.45,
    });
  });
});
