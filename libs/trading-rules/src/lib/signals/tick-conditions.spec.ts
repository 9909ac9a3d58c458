import { AlertConditionSchema } from '@freeride/contracts';

import type { EvaluableRule } from '../engine/engine.types';
import { RuleEngine } from '../engine/rule-engine';
import { NaiveSignals } from './naive-signals';
import { CONDITION_CASES, randomTicks } from './tick-conditions.fixtures';

const T0 = Date.UTC(2026, 10, 2, 14, 0, 0);
const EVERY = { cooldownSeconds: 0, mode: 'every_time' } as const;

describe('tick conditions in RuleEngine', () => {
  it.each([7, 1234])(
    'fire on exactly the ticks where a naive recomputation says they hold (seed %i)',
    (seed) => {
      const ticks = randomTicks(300, seed, T0);
      const engine = new RuleEngine();
      for (const { condition, name } of CONDITION_CASES) {
        engine.addRule({
          condition: AlertConditionSchema.parse(condition),
          id: name,
          symbol: 'SYM',
          trigger: EVERY,
        });
      }
      const naive = new NaiveSignals(ticks);
      const got = new Map<string, Array<[number, number]>>();
      const want = new Map<string, Array<[number, number]>>();
      for (const [i, tick] of ticks.entries()) {
        for (const fire of engine.onTick({ ...tick, symbol: 'SYM' }).fired) {
          const list = got.get(fire.rule.id) ?? [];
          list.push([i, Number(fire.value.toFixed(6))]);
          got.set(fire.rule.id, list);
        }
        for (const { condition, name } of CONDITION_CASES) {
          const v = naive.valueAt(AlertConditionSchema.parse(condition), i);
          if (v === undefined) continue;
          const list = want.get(name) ?? [];
          list.push([i, Number(v.toFixed(6))]);
          want.set(name, list);
        }
      }
      for (const { name } of CONDITION_CASES) {
        expect({ name, fires: got.get(name) ?? [] }).toEqual({
          name,
          fires: want.get(name) ?? [],
        });
      }
      // Each case is exercised: it fires at least once on this walk.
      const silent = CONDITION_CASES.filter((c) => !want.has(c.name));
      expect(silent.map((c) => c.name)).toEqual([]);
    },
  );

  it('shares one indicator instance between rules with the same parameters', () => {
    const engine = new RuleEngine<EvaluableRule>();
    const sma = {
      interval: '1min',
      ma: 'sma',
      op: 'above',
      period: 5,
      type: 'price_vs_ma',
    } as const;
    engine.addRule({ condition: sma, id: 'a', symbol: 'S', trigger: EVERY });
    engine.addRule({
      condition: { ...sma, op: 'below' },
      id: 'b',
      symbol: 'S',
      trigger: EVERY,
    });
    engine.addRule({
      condition: { ...sma, period: 6 },
      id: 'c',
      symbol: 'S',
      trigger: EVERY,
    });
    const series = (
      engine as unknown as {
        books: Map<
          string,
          { signals: { series: Map<number, { slots: Map<string, unknown> }> } }
        >;
      }
    ).books
      .get('S')!
      .signals.series.get(60_000)!;
    expect([...series.slots.keys()].sort()).toEqual(['sma:5', 'sma:6']);
    engine.removeRule('a');
    engine.removeRule('c');
    expect([...series.slots.keys()]).toEqual(['sma:5']);
  });

  it('seeds bars from history so an indicator rule can fire on its first ticks', () => {
    const engine = new RuleEngine();
    engine.addRule({
      condition: {
        interval: '1min',
        ma: 'sma',
        op: 'above',
        period: 3,
        type: 'price_vs_ma',
      },
      id: 'r',
      symbol: 'S',
      trigger: { mode: 'once' },
    });
    const bars = [10, 11, 12, 13].map((close, i) => ({
      close,
      start: T0 - (4 - i) * 60_000,
    }));
    expect(engine.seedBars('S', '1min', bars, T0)).toBe(4);
    // SMA(3) of 11, 12, 13 is 12.
    expect(
      engine.onTick({ asOf: T0 + 1000, price: 11.9, symbol: 'S' }).fired,
    ).toHaveLength(0);
    expect(
      engine.onTick({ asOf: T0 + 2000, price: 12.1, symbol: 'S' }).fired,
    ).toHaveLength(1);
  });

  it('fires an AND of two conditions once for a once rule, on the first tick both hold', () => {
    const engine = new RuleEngine();
    engine.addRule({
      condition: {
        conditions: [
          { threshold: 100, type: 'price_above' },
          { lower: 101, mode: 'outside', type: 'channel', upper: 102 },
        ],
        type: 'all',
      },
      id: 'and',
      symbol: 'S',
      trigger: { mode: 'once' },
    });
    const fired = [99, 101.5, 100.5, 103, 104].flatMap((price, i) =>
      engine
        .onTick({ asOf: T0 + i * 1000, price, symbol: 'S' })
        .fired.map((f) => f.value),
    );
    expect(fired).toEqual([100.5]);
  });

  it('ignores ticks of bars already seeded, so a restart replay does not count them twice', () => {
    const engine = new RuleEngine();
    engine.addRule({
      condition: {
        interval: '1min',
        ma: 'sma',
        op: 'above',
        period: 3,
        type: 'price_vs_ma',
      },
      id: 'r',
      symbol: 'S',
      trigger: { cooldownSeconds: 0, mode: 'every_time' },
    });
    const bars = [10, 11, 12, 13].map((close, i) => ({
      close,
      start: T0 - (4 - i) * 60_000,
    }));
    engine.seedBars('S', '1min', bars, T0);
    // Replayed ticks inside the seeded bars (a restart's warm-up) change nothing.
    engine.warmUp({ asOf: T0 - 150_000, price: 100, symbol: 'S' });
    engine.warmUp({ asOf: T0 - 30_000, price: 100, symbol: 'S' });
    // SMA(3) is still 12 (11, 12, 13): 12.5 fires, 11.9 would not.
    expect(
      engine.onTick({ asOf: T0 + 1000, price: 12.5, symbol: 'S' }).fired,
    ).toHaveLength(1);
  });

  describe('sequence (first, then within N bars)', () => {
    const sequence = {
      first: { threshold: 90, type: 'price_below' },
      interval: '1min',
      then: { threshold: 110, type: 'price_above' },
      type: 'sequence',
      withinBars: 2,
    } as const;
    // Minute-aligned start: tick k minutes later is in bar +k.
    const at = (minutes: number) => T0 + minutes * 60_000;
    const run = (
      prices: Array<[minutes: number, price: number]>,
      trigger: EvaluableRule['trigger'] = EVERY,
    ) => {
      const engine = new RuleEngine();
      engine.addRule({ condition: sequence, id: 'seq', symbol: 'S', trigger });
      return prices.flatMap(([m, price]) =>
        engine.onTick({ asOf: at(m), price, symbol: 'S' }).fired.length > 0
          ? [m]
          : [],
      );
    };

    it('fires when then holds at most withinBars bars after first held', () => {
      expect(
        run([
          [0, 85],
          [1, 100],
          [2, 115],
          [2.5, 115],
        ]),
      ).toEqual([2, 2.5]);
    });

    it('does not fire once first is more than withinBars bars back', () => {
      expect(
        run([
          [0, 85],
          [1, 100],
          [3, 115],
        ]),
      ).toEqual([]);
    });

    it('needs first on an earlier tick than then', () => {
      // A single tick cannot be both, but a gap from below 90 to above 110
      // is "then" on a tick whose previous tick was "first".
      expect(
        run([
          [0, 100],
          [0.5, 115],
          [0.7, 85],
          [0.9, 115],
        ]),
      ).toEqual([0.9]);
    });

    it('keeps watching first while the rule cools down', () => {
      // Fires at minute 1; cooling down until minute 11 it still sees the
      // dip at minute 10, so the rise at minute 11 fires again.
      expect(
        run(
          [
            [0, 85],
            [1, 115],
            [5, 100],
            [10, 85],
            [11, 115],
          ],
          { cooldownSeconds: 600, mode: 'every_time' },
        ),
      ).toEqual([1, 11]);
    });
  });
});
