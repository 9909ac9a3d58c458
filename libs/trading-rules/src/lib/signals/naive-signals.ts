import type { AlertCondition, TickCondition } from '@freeride/contracts';

import { EPSILON } from '../engine/symbol-state';
import { INTERVAL_MS } from './symbol-signals';

/** One tick of a replay. */
export interface ReplayTick {
  asOf: number;
  price: number;
}

/* Indicators recomputed from the full list of closes, for each question. */

function sma(closes: number[], n: number): number | undefined {
  if (closes.length < n) return undefined;
  let s = 0;
  for (let i = closes.length - n; i < closes.length; i++) s += closes[i];
  return s / n;
}

function emaSeries(values: number[], n: number): number[] {
  const k = 2 / (n + 1);
  const out: number[] = [];
  for (const [i, v] of values.entries()) {
    out.push(i === 0 ? v : v * k + out[i - 1] * (1 - k));
  }
  return out;
}

function ema(closes: number[], n: number): number | undefined {
  return closes.length < n ? undefined : emaSeries(closes, n).at(-1);
}

function rsi(closes: number[], n: number): number | undefined {
  if (closes.length < n + 1) return undefined;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = closes[i] - closes[i - 1];
    gain += Math.max(d, 0) / n;
    loss += Math.max(-d, 0) / n;
  }
  for (let i = n + 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    gain = (gain * (n - 1) + Math.max(d, 0)) / n;
    loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
  }
  return loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
}

function macd(
  closes: number[],
  fast: number,
  slow: number,
  signal: number,
): { macd: number; signal: number } | undefined {
  const f = emaSeries(closes, fast);
  const s = emaSeries(closes, slow);
  const lines = closes
    .slice(slow - 1)
    .map((_, i) => f[i + slow - 1] - s[i + slow - 1]);
  if (lines.length < signal) return undefined;
  return { macd: lines.at(-1)!, signal: emaSeries(lines, signal).at(-1)! };
}

function bands(
  closes: number[],
  n: number,
  k: number,
): { lower: number; upper: number } | undefined {
  const mean = sma(closes, n);
  if (mean === undefined) return undefined;
  const last = closes.slice(-n);
  const sd = Math.sqrt(last.reduce((a, x) => a + (x - mean) ** 2, 0) / n);
  return { lower: mean - k * sd, upper: mean + k * sd };
}

/**
 * The oracle of the tick-condition engine: decides whether `condition` holds
 * at tick `i` by recomputing everything from the ticks (and seed closes) up
 * to it: bars, indicators, windows. O(history) per question, so tests and
 * benchmark baselines only.
 */
export class NaiveSignals {
  constructor(
    private readonly ticks: readonly ReplayTick[],
    /** Closes of bars before the first tick, per interval, oldest first. */
    private readonly seed: Partial<Record<string, number[]>> = {},
  ) {}

  /** The matched value at tick `i`, or undefined. */
  valueAt(condition: AlertCondition, i: number): number | undefined {
    if (condition.type === 'all' || condition.type === 'any') {
      const values = condition.conditions.map((c) => this.tickValue(c, i));
      if (condition.type === 'all') {
        return values.every((v) => v !== undefined) ? values[0] : undefined;
      }
      return values.find((v) => v !== undefined);
    }
    if (condition.type === 'sequence') {
      const v = this.tickValue(condition.then, i);
      if (v === undefined) return undefined;
      const ms = INTERVAL_MS[condition.interval];
      const bar = Math.floor(this.ticks[i].asOf / ms);
      for (let j = i - 1; j >= 0; j--) {
        if (bar - Math.floor(this.ticks[j].asOf / ms) > condition.withinBars) {
          break;
        }
        if (this.tickValue(condition.first, j) !== undefined) return v;
      }
      return undefined;
    }
    if (
      condition.type === 'sentiment_above' ||
      condition.type === 'sentiment_below'
    ) {
      return undefined;
    }
    return this.tickValue(condition, i);
  }

  /** Closes of the bars closed as of tick `i` (-1: before the first tick). */
  closes(interval: string, i: number): number[] {
    const ms = INTERVAL_MS[interval];
    const out = [...(this.seed[interval] ?? [])];
    if (i < 0) return out;
    const current = Math.floor(this.ticks[i].asOf / ms);
    let bucket: number | undefined;
    let close = 0;
    for (let j = 0; j <= i; j++) {
      const b = Math.floor(this.ticks[j].asOf / ms);
      if (b >= current) break;
      if (bucket !== undefined && b !== bucket) out.push(close);
      bucket = b;
      close = this.ticks[j].price;
    }
    if (bucket !== undefined) out.push(close);
    return out;
  }

  private refPrice(i: number, windowMs: number): number | undefined {
    const cutoff = this.ticks[i].asOf - windowMs;
    for (let j = i; j >= 0; j--) {
      if (this.ticks[j].asOf <= cutoff) return this.ticks[j].price;
    }
    return undefined;
  }

  private tickValue(c: TickCondition, i: number): number | undefined {
    const price = this.ticks[i].price;
    const prev = i > 0 ? this.ticks[i - 1].price : undefined;
    const cross = (a0?: number, b0?: number, a?: number, b?: number) =>
      a0 !== undefined &&
      b0 !== undefined &&
      a !== undefined &&
      b !== undefined &&
      a0 < b0 &&
      a >= b;
    switch (c.type) {
      case 'price_above':
        return price > c.threshold ? price : undefined;
      case 'price_below':
        return price < c.threshold ? price : undefined;
      case 'crossing_up':
        return cross(prev, c.threshold, price, c.threshold) ? price : undefined;
      case 'crossing_down':
        return cross(c.threshold, prev, c.threshold, price) ? price : undefined;
      case 'crossing':
        return cross(prev, c.threshold, price, c.threshold) ||
          cross(c.threshold, prev, c.threshold, price)
          ? price
          : undefined;
      case 'percent_move':
      case 'price_change': {
        const ref = this.refPrice(i, c.windowSeconds * 1000);
        if (ref === undefined) return undefined;
        const move =
          c.type === 'percent_move' ? ((price - ref) / ref) * 100 : price - ref;
        const limit = c.type === 'percent_move' ? c.percent : c.amount;
        const signed = c.direction === 'up' ? move : -move;
        return signed > 0 && signed + EPSILON >= limit ? move : undefined;
      }
      case 'volume_spike':
        return undefined;
      case 'channel': {
        const inside = (p: number) => c.lower <= p && p <= c.upper;
        const was = prev === undefined ? undefined : inside(prev);
        const hit = {
          entering: was === false && inside(price),
          exiting: was === true && !inside(price),
          inside: inside(price),
          outside: !inside(price),
        }[c.mode];
        return hit ? price : undefined;
      }
      case 'price_vs_ma': {
        const f = c.ma === 'sma' ? sma : ema;
        const ma = f(this.closes(c.interval, i), c.period);
        const ma0 = f(this.closes(c.interval, i - 1), c.period);
        if (ma === undefined) return undefined;
        const hit = {
          above: price > ma,
          below: price < ma,
          crossing_down: cross(ma0, prev, ma, price),
          crossing_up: cross(prev, ma0, price, ma),
        }[c.op];
        return hit ? price : undefined;
      }
      case 'ma_cross': {
        const f = c.ma === 'sma' ? sma : ema;
        const now = this.closes(c.interval, i);
        const before = this.closes(c.interval, i - 1);
        const [fa, sl, fa0, sl0] = [
          f(now, c.fast),
          f(now, c.slow),
          f(before, c.fast),
          f(before, c.slow),
        ];
        const hit =
          c.direction === 'up'
            ? cross(fa0, sl0, fa, sl)
            : cross(sl0, fa0, sl, fa);
        return hit ? fa : undefined;
      }
      case 'rsi': {
        const r = rsi(this.closes(c.interval, i), c.period);
        const r0 = rsi(this.closes(c.interval, i - 1), c.period);
        if (r === undefined) return undefined;
        const hit = {
          above: r > c.level,
          below: r < c.level,
          crossing_down: cross(c.level, r0, c.level, r),
          crossing_up: cross(r0, c.level, r, c.level),
        }[c.op];
        return hit ? r : undefined;
      }
      case 'macd_cross': {
        const m = macd(this.closes(c.interval, i), c.fast, c.slow, c.signal);
        const m0 = macd(
          this.closes(c.interval, i - 1),
          c.fast,
          c.slow,
          c.signal,
        );
        const hit =
          c.direction === 'up'
            ? cross(m0?.macd, m0?.signal, m?.macd, m?.signal)
            : cross(m0?.signal, m0?.macd, m?.signal, m?.macd);
        return hit ? m!.macd : undefined;
      }
      case 'bollinger_break': {
        const b = bands(this.closes(c.interval, i), c.period, c.stdDev);
        const b0 = bands(this.closes(c.interval, i - 1), c.period, c.stdDev);
        if (!b || !b0 || prev === undefined) return undefined;
        const hit =
          c.band === 'upper'
            ? prev <= b0.upper && price > b.upper
            : prev >= b0.lower && price < b.lower;
        return hit ? price : undefined;
      }
    }
  }
}
