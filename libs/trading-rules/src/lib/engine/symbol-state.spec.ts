import { SymbolState } from './symbol-state';

/** Brute force over the whole history: the price of the last tick at or before `t`. */
function priceAtOrBefore(
  ticks: Array<{ asOf: number; price: number }>,
  t: number,
): number | undefined {
  let found: number | undefined;
  for (const tick of ticks) if (tick.asOf <= t) found = tick.price;
  return found;
}

const round = (x: number | undefined) =>
  x === undefined ? undefined : Number(x.toFixed(6));

describe('SymbolState', () => {
  it('answers moves over several windows as a scan of the whole history does, across prunes', () => {
    const state = new SymbolState();
    state.maxWindowMs = 60_000;
    const ticks: Array<{ asOf: number; price: number; volume: number }> = [];
    let x = 42;
    const next = () => {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      return x / 2 ** 32;
    };
    let asOf = 1_000_000;
    let price = 100;
    const got: Array<Array<number | undefined>> = [];
    const want: Array<Array<number | undefined>> = [];
    // 6,000 ticks 10-490 ms apart: the history is pruned and compacted many times.
    for (let i = 0; i < 6000; i++) {
      asOf += 10 + Math.floor(next() * 480);
      price = Math.max(1, price + (next() - 0.5));
      const volume = Math.floor(next() * 100);
      ticks.push({ asOf, price, volume });
      state.push(asOf, price, volume);
      const row: Array<number | undefined> = [];
      const expected: Array<number | undefined> = [];
      for (const windowMs of [5_000, 30_000, 60_000]) {
        const ref = priceAtOrBefore(ticks, asOf - windowMs);
        row.push(
          round(state.percentMove(windowMs)),
          round(state.priceChange(windowMs)),
        );
        expected.push(
          ref === undefined ? undefined : round(((price - ref) / ref) * 100),
          ref === undefined ? undefined : round(price - ref),
        );
      }
      // Volume ratio over 30 s: this tick's volume over the mean of the ticks before it in the window.
      const before = ticks.filter(
        (t) => t.asOf > asOf - 30_000 && t.asOf < asOf,
      );
      const mean = before.reduce((a, t) => a + t.volume, 0) / before.length;
      row.push(round(state.volumeRatio(30_000)));
      expected.push(
        before.length === 0 || mean <= 0 ? undefined : round(volume / mean),
      );
      got.push(row);
      want.push(expected);
    }
    expect(got).toEqual(want);
  });
});
