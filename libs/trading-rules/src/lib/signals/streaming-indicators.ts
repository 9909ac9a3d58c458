/**
 * Streaming technical indicators over bar closes, O(1) per update. Each
 * answers `undefined` until it has the inputs its definition needs.
 *
 * Definitions follow the common ones (and `trading-signals`, against which
 * the spec checks every value): SMA over `period` closes; EMA with
 * `k = 2 / (period + 1)` seeded with the first close and defined from the
 * `period`-th; Wilder's RSI (averages seeded with the mean of the first
 * `period` changes); MACD = EMA(fast) − EMA(slow), defined once EMA(slow) is,
 * its signal line an EMA of the MACD; Bollinger bands = SMA ± k × population
 * standard deviation. `trading-signals` recomputes SMA, RSI and the bands
 * over the whole period on every update, hence these.
 */
export interface StreamingIndicator<V> {
  /** Feeds one bar close. */
  update(close: number): void;
  readonly value: V | undefined;
}

/** A fixed-capacity ring of the last `size` numbers. */
class Ring {
  private readonly items: Float64Array;
  private next = 0;
  count = 0;

  constructor(readonly size: number) {
    this.items = new Float64Array(size);
  }

  /** Adds `x`; returns the value it pushed out, if the ring was full. */
  push(x: number): number | undefined {
    const out = this.count === this.size ? this.items[this.next] : undefined;
    this.items[this.next] = x;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    return out;
  }

  sum(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.items[i];
    return s;
  }

  sumOfSquaredDeviations(mean: number): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += (this.items[i] - mean) ** 2;
    return s;
  }
}

/** Simple moving average. */
export class Sma implements StreamingIndicator<number> {
  private readonly ring: Ring;
  private sum = 0;
  private updates = 0;

  constructor(readonly period: number) {
    this.ring = new Ring(period);
  }

  get value(): number | undefined {
    return this.ring.count === this.period ? this.sum / this.period : undefined;
  }

  update(close: number): void {
    const out = this.ring.push(close);
    this.sum += close - (out ?? 0);
    // Re-sum once per period so rounding cannot drift (amortised O(1)).
    if (++this.updates % this.period === 0) this.sum = this.ring.sum();
  }
}

/** Exponential moving average. */
export class Ema implements StreamingIndicator<number> {
  private count = 0;
  private current = 0;
  private readonly k: number;

  constructor(readonly period: number) {
    this.k = 2 / (period + 1);
  }

  get value(): number | undefined {
    return this.count >= this.period ? this.current : undefined;
  }

  /** The average so far, defined from the first close (MACD's lines use it). */
  get latest(): number | undefined {
    return this.count > 0 ? this.current : undefined;
  }

  update(close: number): void {
    this.current =
      this.count === 0 ? close : close * this.k + this.current * (1 - this.k);
    this.count++;
  }
}

/** Wilder's relative strength index, in [0, 100]. */
export class Rsi implements StreamingIndicator<number> {
  private avgGain = 0;
  private avgLoss = 0;
  private changes = 0;
  private previous?: number;

  constructor(readonly period: number) {}

  get value(): number | undefined {
    if (this.changes < this.period) return undefined;
    if (this.avgLoss === 0) return 100;
    return 100 - 100 / (1 + this.avgGain / this.avgLoss);
  }

  update(close: number): void {
    const previous = this.previous;
    this.previous = close;
    if (previous === undefined) return;
    const gain = Math.max(close - previous, 0);
    const loss = Math.max(previous - close, 0);
    this.changes++;
    if (this.changes <= this.period) {
      // Seed: the mean of the first `period` changes.
      this.avgGain += (gain - this.avgGain) / this.changes;
      this.avgLoss += (loss - this.avgLoss) / this.changes;
    } else {
      this.avgGain += (gain - this.avgGain) / this.period;
      this.avgLoss += (loss - this.avgLoss) / this.period;
    }
  }
}

/** MACD line and its signal line. */
export class Macd implements StreamingIndicator<{
  macd: number;
  signal: number;
}> {
  private readonly fastEma: Ema;
  private readonly signalEma: Ema;
  private readonly slowEma: Ema;

  constructor(fast: number, slow: number, signal: number) {
    this.fastEma = new Ema(fast);
    this.slowEma = new Ema(slow);
    this.signalEma = new Ema(signal);
  }

  get value(): { macd: number; signal: number } | undefined {
    const signal = this.signalEma.value;
    if (signal === undefined) return undefined;
    return { macd: this.line(), signal };
  }

  update(close: number): void {
    this.fastEma.update(close);
    this.slowEma.update(close);
    if (this.slowEma.value !== undefined) this.signalEma.update(this.line());
  }

  private line(): number {
    return this.fastEma.latest! - this.slowEma.latest!;
  }
}

/** Bollinger bands. */
export class Bollinger implements StreamingIndicator<{
  lower: number;
  middle: number;
  upper: number;
}> {
  private readonly ring: Ring;
  private sum = 0;
  private sumSq = 0;
  private updates = 0;

  constructor(
    readonly period: number,
    readonly stdDev: number,
  ) {
    this.ring = new Ring(period);
  }

  get value(): { lower: number; middle: number; upper: number } | undefined {
    if (this.ring.count < this.period) return undefined;
    const middle = this.sum / this.period;
    const variance = Math.max(this.sumSq / this.period - middle * middle, 0);
    const width = Math.sqrt(variance) * this.stdDev;
    return { lower: middle - width, middle, upper: middle + width };
  }

  update(close: number): void {
    const out = this.ring.push(close) ?? 0;
    this.sum += close - out;
    this.sumSq += close * close - out * out;
    if (++this.updates % this.period === 0) {
      // Exact sums once per period: no drift, no cancellation in the variance.
      this.sum = this.ring.sum();
      const mean = this.sum / this.ring.count;
      this.sumSq =
        this.ring.sumOfSquaredDeviations(mean) + this.ring.count * mean * mean;
    }
  }
}
