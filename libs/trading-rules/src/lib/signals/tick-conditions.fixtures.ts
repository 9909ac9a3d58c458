import type { AlertCondition } from '@freeride/contracts';

/**
 * One of each tick condition beyond plain levels, with periods short enough
 * to be defined within an hour of 1-minute bars: the property tests (unit and
 * e2e) check each against `NaiveSignals`.
 */
export const CONDITION_CASES: Array<{
  condition: AlertCondition;
  name: string;
}> = [
  { condition: { threshold: 100, type: 'crossing' }, name: 'crossing' },
  {
    condition: {
      amount: 1.5,
      direction: 'up',
      type: 'price_change',
      windowSeconds: 60,
    },
    name: 'change-up',
  },
  {
    condition: {
      amount: 1.5,
      direction: 'down',
      type: 'price_change',
      windowSeconds: 60,
    },
    name: 'change-down',
  },
  {
    condition: {
      direction: 'up',
      percent: 1,
      type: 'percent_move',
      windowSeconds: 90,
    },
    name: 'pct-up',
  },
  ...(['entering', 'exiting', 'inside', 'outside'] as const).map((mode) => ({
    condition: { lower: 99, mode, type: 'channel', upper: 101 } as const,
    name: `channel-${mode}`,
  })),
  ...(['above', 'below', 'crossing_up', 'crossing_down'] as const).flatMap(
    (op) => [
      {
        condition: {
          interval: '1min',
          ma: 'sma',
          op,
          period: 5,
          type: 'price_vs_ma',
        } as const,
        name: `sma-${op}`,
      },
      {
        condition: {
          interval: '1min',
          ma: 'ema',
          op,
          period: 8,
          type: 'price_vs_ma',
        } as const,
        name: `ema-${op}`,
      },
      {
        condition: {
          interval: '1min',
          level: 50,
          op,
          period: 6,
          type: 'rsi',
        } as const,
        name: `rsi-${op}`,
      },
    ],
  ),
  ...(['up', 'down'] as const).flatMap((direction) => [
    {
      condition: {
        direction,
        fast: 3,
        interval: '1min',
        ma: 'sma',
        slow: 7,
        type: 'ma_cross',
      } as const,
      name: `sma-cross-${direction}`,
    },
    {
      condition: {
        direction,
        fast: 4,
        interval: '1min',
        ma: 'ema',
        slow: 9,
        type: 'ma_cross',
      } as const,
      name: `ema-cross-${direction}`,
    },
    {
      condition: {
        direction,
        fast: 4,
        interval: '1min',
        signal: 3,
        slow: 8,
        type: 'macd_cross',
      } as const,
      name: `macd-cross-${direction}`,
    },
  ]),
  ...(['upper', 'lower'] as const).map((band) => ({
    condition: {
      band,
      interval: '1min',
      period: 6,
      stdDev: 1,
      type: 'bollinger_break',
    } as const,
    name: `bb-${band}`,
  })),
  {
    condition: {
      conditions: [
        { interval: '1min', level: 50, op: 'above', period: 6, type: 'rsi' },
        { threshold: 100, type: 'price_above' },
      ],
      type: 'all',
    },
    name: 'all-rsi-price',
  },
  {
    condition: {
      conditions: [
        { threshold: 100, type: 'crossing' },
        {
          band: 'upper',
          interval: '5min',
          period: 3,
          stdDev: 1,
          type: 'bollinger_break',
        },
      ],
      type: 'any',
    },
    name: 'any-cross-bb5',
  },
  {
    condition: {
      first: { threshold: 99, type: 'price_below' },
      interval: '1min',
      then: { threshold: 100.5, type: 'price_above' },
      type: 'sequence',
      withinBars: 3,
    },
    name: 'seq-dip-then-rise',
  },
  {
    condition: {
      first: {
        interval: '1min',
        ma: 'sma',
        op: 'crossing_up',
        period: 5,
        type: 'price_vs_ma',
      },
      interval: '5min',
      then: { threshold: 100, type: 'crossing_up' },
      type: 'sequence',
      withinBars: 1,
    },
    name: 'seq-sma-then-cross',
  },
];

/**
 * A deterministic random walk around 100 (xorshift), one tick every 5 to 25
 * seconds from `t0`, so the conditions above fire a few times each.
 */
export function randomTicks(
  n: number,
  seed: number,
  t0: number,
): Array<{ asOf: number; price: number }> {
  let x = seed;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  let price = 100;
  let asOf = t0;
  const out: Array<{ asOf: number; price: number }> = [];
  for (let i = 0; i < n; i++) {
    price += (next() - 0.5) * 1.6 + (100 - price) * 0.05;
    asOf += 5000 + Math.floor(next() * 20) * 1000;
    out.push({ asOf, price: Math.round(price * 100) / 100 });
  }
  return out;
}
