import type { AlertCondition, AlertTrigger } from '@freeride/contracts';
import type { EvaluableRule } from '@freeride/trading-rules';

import { N_RULES, N_SYMBOLS } from './bench-options';

/** Deterministic PRNG (LCG) so every run replays the same data. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

export const symbolName = (i: number) => `S${String(i).padStart(4, '0')}`;

/** 10 rules per symbol, thresholds around the symbol's start price. */
export function makeRules(
  random: () => number,
  cooldownSeconds: number,
): EvaluableRule[] {
  const rules: EvaluableRule[] = [];
  for (let i = 0; i < N_RULES; i++) {
    const sym = i % N_SYMBOLS;
    const base = 100 + (sym % 50);
    const th = Math.round(base * (0.97 + random() * 0.06) * 100) / 100;
    let condition: AlertCondition;
    switch (i % 6) {
      case 0:
        condition = { threshold: th, type: 'crossing_up' };
        break;
      case 1:
        condition = { threshold: th, type: 'crossing_down' };
        break;
      case 2:
        condition = {
          threshold: Math.round(base * 1.03 * 100) / 100,
          type: 'price_above',
        };
        break;
      case 3:
        condition = {
          threshold: Math.round(base * 0.97 * 100) / 100,
          type: 'price_below',
        };
        break;
      case 4:
        condition = {
          direction: random() < 0.5 ? 'up' : 'down',
          percent: 1 + random(),
          type: 'percent_move',
          windowSeconds: 30,
        };
        break;
      default:
        condition = { factor: 3, type: 'volume_spike', windowSeconds: 60 };
    }
    const trigger: AlertTrigger =
      i % 10 === 9 ? { mode: 'once' } : { cooldownSeconds, mode: 'every_time' };
    rules.push({
      condition,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      symbol: symbolName(sym),
      trigger,
    });
  }
  return rules;
}

/**
 * Ticks round-robin over symbols, random walk prices (each tick moves the
 * price by up to ± `step` / 2, relative); `perMs` ticks per millisecond of
 * tick time (1: 1 ms apart).
 */
export function makeTicks(
  random: () => number,
  count: number,
  t0: number,
  perMs = 1,
  step = 0.004,
) {
  const sym = new Int32Array(count);
  const price = new Float64Array(count);
  const volume = new Float64Array(count);
  const last = Float64Array.from(
    { length: N_SYMBOLS },
    (_, i) => 100 + (i % 50),
  );
  for (let i = 0; i < count; i++) {
    const s = i % N_SYMBOLS;
    last[s] = Math.max(1, last[s] * (1 + (random() - 0.5) * step));
    sym[i] = s;
    price[i] = Math.round(last[s] * 100) / 100;
    volume[i] = random() < 0.01 ? 1000 + random() * 4000 : 100 + random() * 200;
  }
  return {
    asOf: (i: number) => t0 + Math.floor(i / perMs),
    count,
    price,
    sym,
    volume,
  };
}

/** Ten indicator conditions per symbol (every kind, on 1-minute bars). */
const INDICATOR_CONDITIONS: AlertCondition[] = [
  {
    interval: '1min',
    ma: 'sma',
    op: 'crossing_up',
    period: 20,
    type: 'price_vs_ma',
  },
  {
    interval: '1min',
    ma: 'ema',
    op: 'crossing_down',
    period: 20,
    type: 'price_vs_ma',
  },
  {
    direction: 'up',
    fast: 9,
    interval: '1min',
    ma: 'ema',
    slow: 21,
    type: 'ma_cross',
  },
  {
    direction: 'down',
    fast: 10,
    interval: '1min',
    ma: 'sma',
    slow: 30,
    type: 'ma_cross',
  },
  { interval: '1min', level: 70, op: 'crossing_up', period: 14, type: 'rsi' },
  { interval: '1min', level: 30, op: 'below', period: 14, type: 'rsi' },
  {
    direction: 'up',
    fast: 12,
    interval: '1min',
    signal: 9,
    slow: 26,
    type: 'macd_cross',
  },
  {
    band: 'upper',
    interval: '1min',
    period: 20,
    stdDev: 2,
    type: 'bollinger_break',
  },
  {
    band: 'lower',
    interval: '1min',
    period: 20,
    stdDev: 2,
    type: 'bollinger_break',
  },
  {
    conditions: [
      { interval: '1min', level: 50, op: 'above', period: 14, type: 'rsi' },
      {
        interval: '1min',
        ma: 'sma',
        op: 'above',
        period: 20,
        type: 'price_vs_ma',
      },
    ],
    type: 'all',
  },
];

/** `count` indicator rules round-robin over the symbols, ids after the plain rules'. */
export function makeIndicatorRules(
  count: number,
  trigger: AlertTrigger,
): EvaluableRule[] {
  return Array.from({ length: count }, (_, i) => ({
    condition:
      INDICATOR_CONDITIONS[
        Math.floor(i / N_SYMBOLS) % INDICATOR_CONDITIONS.length
      ],
    id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
    symbol: symbolName(i % N_SYMBOLS),
    trigger,
  }));
}

/** 60 closed 1-minute bars per symbol before `t0` (a random walk), as the gateway would serve them. */
export function makeSeedBars(
  random: () => number,
  t0: number,
): Array<Array<{ close: number; start: number }>> {
  const first = Math.floor(t0 / 60_000) * 60_000 - 60 * 60_000;
  return Array.from({ length: N_SYMBOLS }, (_, s) => {
    let price = 100 + (s % 50);
    return Array.from({ length: 60 }, (_, k) => {
      price = Math.max(1, price * (1 + (random() - 0.5) * 0.01));
      return {
        close: Math.round(price * 100) / 100,
        start: first + k * 60_000,
      };
    });
  });
}
