import type { TickRejection } from './engine.types';

/** Floating-point slack for percent and ratio comparisons. */
export const EPSILON = 1e-9;

/**
 * Last price and a bounded tick history of one symbol: enough to evaluate
 * crossings (previous price), percent moves (price `window` ago) and volume
 * spikes (mean volume over a window, by prefix sums).
 */
export class SymbolState {
  lastAsOf?: number;
  lastPrice?: number;
  lastSentiment?: number;
  lastSentimentAsOf?: number;
  /** Longest window any rule of the symbol needs, in ms (0: keep no history). */
  maxWindowMs = 0;

  private cumVolume: number[] = [];
  /**
   * Per window (ms): the index {@link lastAtOrBefore} found last time. The
   * latest tick only moves forward, so each answer is found by stepping on
   * from the previous one (O(1) amortised, a cache line or two per tick).
   */
  private readonly cursors = new Map<number, number>();
  private head = 0;
  private prices: number[] = [];
  private times: number[] = [];

  /**
   * Checks the ordering of a tick: a tick not newer than the last accepted
   * one is a duplicate (same time) or out of order (older), and is ignored.
   */
  admit(asOf: number): TickRejection | undefined {
    if (this.lastAsOf === undefined) return undefined;
    if (asOf === this.lastAsOf) return 'duplicate';
    if (asOf < this.lastAsOf) return 'out_of_order';
    return undefined;
  }

  /**
   * Admits a sentiment signal with the same ordering rule as ticks and
   * records it; answers why it was ignored otherwise.
   */
  admitSignal(asOf: number, value: number): TickRejection | undefined {
    if (
      this.lastSentimentAsOf !== undefined &&
      asOf <= this.lastSentimentAsOf
    ) {
      return asOf === this.lastSentimentAsOf ? 'duplicate' : 'out_of_order';
    }
    this.lastSentiment = value;
    this.lastSentimentAsOf = asOf;
    return undefined;
  }

  /** Records an admitted tick. */
  push(asOf: number, price: number, volume: number): void {
    this.lastAsOf = asOf;
    this.lastPrice = price;
    if (this.maxWindowMs === 0) return;
    const prevCum =
      this.cumVolume.length > 0 ? this.cumVolume[this.cumVolume.length - 1] : 0;
    this.times.push(asOf);
    this.prices.push(price);
    this.cumVolume.push(prevCum + volume);
    this.prune(asOf - this.maxWindowMs);
  }

  /**
   * Percent change of the latest price against the price of the last tick at
   * or before `asOf - windowMs`; `undefined` when history does not reach back.
   */
  percentMove(windowMs: number): number | undefined {
    const last = this.times.length - 1;
    if (last < this.head || this.lastPrice === undefined) return undefined;
    const ref = this.lastAtOrBefore(this.times[last] - windowMs, windowMs);
    if (ref < 0) return undefined;
    const refPrice = this.prices[ref];
    return ((this.lastPrice - refPrice) / refPrice) * 100;
  }

  /**
   * Change of the latest price against the price of the last tick at or
   * before `asOf - windowMs`; `undefined` when history does not reach back.
   */
  priceChange(windowMs: number): number | undefined {
    const last = this.times.length - 1;
    if (last < this.head || this.lastPrice === undefined) return undefined;
    const ref = this.lastAtOrBefore(this.times[last] - windowMs, windowMs);
    return ref < 0 ? undefined : this.lastPrice - this.prices[ref];
  }

  /**
   * Latest tick volume divided by the mean volume of the ticks before it in
   * `(asOf - windowMs, asOf)`; `undefined` without a positive baseline.
   */
  volumeRatio(windowMs: number): number | undefined {
    const last = this.times.length - 1;
    if (last - 1 < this.head) return undefined;
    const first =
      this.lastAtOrBefore(this.times[last] - windowMs, windowMs) + 1;
    const from = Math.max(first, this.head);
    const count = last - from;
    if (count < 1) return undefined;
    const before = from === 0 ? 0 : this.cumVolume[from - 1];
    const baseline = (this.cumVolume[last - 1] - before) / count;
    if (baseline <= 0) return undefined;
    const volume = this.cumVolume[last] - this.cumVolume[last - 1];
    return volume / baseline;
  }

  /**
   * Index of the last kept tick with time `<= t`, or -1; `t` is the latest
   * tick's time minus `windowMs`, so it never decreases for one window.
   */
  private lastAtOrBefore(t: number, windowMs: number): number {
    const times = this.times;
    const last = times.length - 1;
    let c = Math.max(this.cursors.get(windowMs) ?? -1, this.head - 1);
    while (c < last && times[c + 1] <= t) c++;
    this.cursors.set(windowMs, c);
    return c < this.head ? -1 : c;
  }

  /** Drops ticks older than needed, keeping one at or before `cutoff`. */
  private prune(cutoff: number): void {
    while (
      this.head + 1 < this.times.length &&
      this.times[this.head + 1] <= cutoff
    ) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      // cumVolume keeps absolute sums, so slicing keeps differences valid;
      // index 0 after slicing is a real tick whose predecessor sum is implied.
      const base = this.head === 0 ? 0 : this.cumVolume[this.head - 1];
      this.times = this.times.slice(this.head);
      this.prices = this.prices.slice(this.head);
      this.cumVolume = this.cumVolume.slice(this.head).map((v) => v - base);
      for (const [windowMs, c] of this.cursors) {
        this.cursors.set(windowMs, Math.max(c - this.head, -1));
      }
      this.head = 0;
    }
  }
}
