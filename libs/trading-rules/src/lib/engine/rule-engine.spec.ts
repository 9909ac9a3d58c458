import type { AlertCondition, AlertTrigger } from '@freeride/contracts';

import type {
  EvaluableRule,
  EvaluationResult,
  RuleEvaluator,
  Tick,
} from './engine.types';
import { NaiveRuleEngine } from './naive-rule-engine';
import { RuleEngine } from './rule-engine';

const ONCE: AlertTrigger = { mode: 'once' };
const T0 = Date.UTC(2026, 0, 5, 14, 30);

function rule(
  id: string,
  condition: AlertCondition,
  trigger: AlertTrigger = ONCE,
  extra: Partial<EvaluableRule> = {},
): EvaluableRule {
  return { condition, id, symbol: 'AAPL', trigger, ...extra };
}

function tick(
  price: number,
  seconds: number,
  volume?: number,
  symbol = 'AAPL',
): Tick {
  return { asOf: T0 + seconds * 1000, price, symbol, volume };
}

/** Feeds ticks and returns, per tick, the ids that fired. */
function run(engine: RuleEvaluator, ticks: Tick[]): string[][] {
  return ticks.map((t) =>
    engine
      .onTick(t)
      .fired.map((f) => f.rule.id)
      .sort(),
  );
}

describe.each([
  ['RuleEngine', () => new RuleEngine()],
  ['NaiveRuleEngine', () => new NaiveRuleEngine()],
])('%s', (_name, make) => {
  let engine: RuleEvaluator;
  beforeEach(() => {
    engine = make();
  });

  describe('crossing conditions', () => {
    it('fires a crossing-up rule when the price gaps over the threshold', () => {
      engine.addRule(rule('up', { threshold: 100, type: 'crossing_up' }));
      expect(run(engine, [tick(99, 0), tick(105, 1)])).toEqual([[], ['up']]);
    });

    it('fires a crossing-up rule when the price lands exactly on the threshold', () => {
      engine.addRule(
        rule(
          'up',
          { threshold: 100, type: 'crossing_up' },
          { cooldownSeconds: 0, mode: 'every_time' },
        ),
      );
      expect(run(engine, [tick(99.5, 0), tick(100, 1), tick(101, 2)])).toEqual([
        [],
        ['up'],
        [],
      ]);
    });

    it('does not fire a crossing-up rule when the move starts at the threshold', () => {
      engine.addRule(rule('up', { threshold: 100, type: 'crossing_up' }));
      expect(run(engine, [tick(100, 0), tick(101, 1)])).toEqual([[], []]);
    });

    it('fires a crossing-down rule when the price gaps under the threshold', () => {
      engine.addRule(rule('down', { threshold: 100, type: 'crossing_down' }));
      expect(run(engine, [tick(103, 0), tick(100.5, 1), tick(95, 2)])).toEqual([
        [],
        [],
        ['down'],
      ]);
    });

    it('fires a crossing-down rule when the price lands exactly on the threshold', () => {
      engine.addRule(rule('down', { threshold: 100, type: 'crossing_down' }));
      expect(run(engine, [tick(101, 0), tick(100, 1)])).toEqual([[], ['down']]);
    });

    it('never fires a crossing on the first tick of a symbol', () => {
      engine.addRule(rule('up', { threshold: 100, type: 'crossing_up' }));
      expect(run(engine, [tick(150, 0)])).toEqual([[]]);
    });

    it('fires only the rules whose threshold lies between the previous and the current price', () => {
      for (const t of [95, 100, 101, 104, 105, 106]) {
        engine.addRule(rule(`up-${t}`, { threshold: t, type: 'crossing_up' }));
      }
      expect(run(engine, [tick(100, 0), tick(105, 1)])).toEqual([
        [],
        ['up-101', 'up-104', 'up-105'],
      ]);
    });

    it('fires each crossing again after the price comes back when the rule repeats', () => {
      engine.addRule(
        rule(
          'up',
          { threshold: 100, type: 'crossing_up' },
          { cooldownSeconds: 0, mode: 'every_time' },
        ),
      );
      expect(
        run(engine, [tick(99, 0), tick(101, 1), tick(98, 2), tick(102, 3)]),
      ).toEqual([[], ['up'], [], ['up']]);
    });
  });

  describe('level conditions', () => {
    it('does not fire price_above at equality and fires just above', () => {
      engine.addRule(rule('above', { threshold: 100, type: 'price_above' }));
      expect(run(engine, [tick(100, 0), tick(100.01, 1)])).toEqual([
        [],
        ['above'],
      ]);
    });

    it('does not fire price_below at equality and fires just below', () => {
      engine.addRule(rule('below', { threshold: 100, type: 'price_below' }));
      expect(run(engine, [tick(100, 0), tick(99.99, 1)])).toEqual([
        [],
        ['below'],
      ]);
    });

    it('fires a level rule on the first tick when the price is already past it', () => {
      engine.addRule(rule('above', { threshold: 100, type: 'price_above' }));
      expect(run(engine, [tick(120, 0)])).toEqual([['above']]);
    });

    it('ignores rules of other symbols', () => {
      engine.addRule(
        rule('msft', { threshold: 1, type: 'price_above' }, ONCE, {
          symbol: 'MSFT',
        }),
      );
      expect(run(engine, [tick(120, 0)])).toEqual([[]]);
    });
  });

  describe('tick ordering', () => {
    it('ignores a duplicate tick so a replay fires nothing twice', () => {
      engine.addRule(
        rule(
          'above',
          { threshold: 100, type: 'price_above' },
          { cooldownSeconds: 0, mode: 'every_time' },
        ),
      );
      const first = engine.onTick(tick(101, 1));
      const replay = engine.onTick(tick(101, 1));
      expect(first.fired).toHaveLength(1);
      expect(replay).toEqual({ expired: [], fired: [], rejected: 'duplicate' });
    });

    it('ignores an out-of-order tick and keeps the newer price as the previous one', () => {
      engine.addRule(rule('up', { threshold: 100, type: 'crossing_up' }));
      const results = [
        tick(99, 0),
        tick(101, 5),
        tick(99, 3),
        tick(102, 6),
      ].map((t) => engine.onTick(t));
      expect(results.map((r) => r.rejected)).toEqual([
        undefined,
        undefined,
        'out_of_order',
        undefined,
      ]);
      expect(results.map((r) => r.fired.length)).toEqual([0, 1, 0, 0]);
    });

    it('does not let a late tick below the threshold re-arm a crossing', () => {
      engine.addRule(
        rule(
          'up',
          { threshold: 100, type: 'crossing_up' },
          { cooldownSeconds: 0, mode: 'every_time' },
        ),
      );
      expect(
        run(engine, [tick(99, 0), tick(101, 2), tick(98, 1), tick(103, 3)]),
      ).toEqual([[], ['up'], [], []]);
    });
  });

  describe('trigger modes', () => {
    it('fires a once rule a single time and then drops it', () => {
      engine.addRule(rule('above', { threshold: 100, type: 'price_above' }));
      expect(run(engine, [tick(101, 0), tick(102, 1)])).toEqual([
        ['above'],
        [],
      ]);
      expect(engine.ruleCount).toBe(0);
    });

    it('fires a once-per-bar rule at most once per bar and again in the next bar', () => {
      engine.addRule(
        rule(
          'above',
          { threshold: 100, type: 'price_above' },
          { barSeconds: 60, mode: 'once_per_bar' },
        ),
      );
      // T0 is on a minute boundary: seconds 0..59 are one bar.
      expect(
        run(engine, [
          tick(101, 0),
          tick(102, 30),
          tick(103, 59),
          tick(104, 60),
          tick(105, 61),
        ]),
      ).toEqual([['above'], [], [], ['above'], []]);
    });

    it('suppresses an every-time rule during its cooldown and fires after it', () => {
      engine.addRule(
        rule(
          'above',
          { threshold: 100, type: 'price_above' },
          { cooldownSeconds: 10, mode: 'every_time' },
        ),
      );
      expect(
        run(engine, [
          tick(101, 0),
          tick(101, 5),
          tick(101, 9.999),
          tick(101, 10),
          tick(99, 25),
          tick(101, 26),
        ]),
      ).toEqual([['above'], [], [], ['above'], [], ['above']]);
    });

    it('fires an every-time rule without cooldown on every matching tick', () => {
      engine.addRule(
        rule(
          'below',
          { threshold: 100, type: 'price_below' },
          { cooldownSeconds: 0, mode: 'every_time' },
        ),
      );
      expect(
        run(engine, [tick(99, 0), tick(98, 1), tick(101, 2), tick(97, 3)]),
      ).toEqual([['below'], ['below'], [], ['below']]);
    });

    it('keeps a restored cooldown until its re-arm time', () => {
      engine.addRule(
        rule(
          'above',
          { threshold: 100, type: 'price_above' },
          { cooldownSeconds: 60, mode: 'every_time' },
        ),
        { rearmAt: T0 + 30_000 },
      );
      expect(run(engine, [tick(101, 10), tick(101, 30)])).toEqual([
        [],
        ['above'],
      ]);
    });

    it('reports an expired rule instead of firing it', () => {
      engine.addRule(
        rule('above', { threshold: 100, type: 'price_above' }, ONCE, {
          expiresAt: T0 + 5_000,
        }),
      );
      const early = engine.onTick(tick(99, 0));
      const late = engine.onTick(tick(101, 5));
      expect(early.fired).toEqual([]);
      expect(late.fired).toEqual([]);
      expect(late.expired.map((r) => r.id)).toEqual(['above']);
      expect(engine.ruleCount).toBe(0);
    });
  });

  describe('window conditions', () => {
    it('fires a percent-move-up rule against the price one window ago', () => {
      engine.addRule(
        rule('pct', {
          direction: 'up',
          percent: 5,
          type: 'percent_move',
          windowSeconds: 60,
        }),
      );
      // No tick at or before t-60 until second 60: no reference yet.
      expect(
        run(engine, [
          tick(100, 0),
          tick(106, 30),
          tick(104, 60),
          tick(105, 61),
        ]),
      ).toEqual([[], [], [], ['pct']]);
    });

    it('fires a percent-move-down rule at exactly the configured percent', () => {
      engine.addRule(
        rule('pct', {
          direction: 'down',
          percent: 10,
          type: 'percent_move',
          windowSeconds: 10,
        }),
      );
      expect(run(engine, [tick(100, 0), tick(95, 5), tick(90, 10)])).toEqual([
        [],
        [],
        ['pct'],
      ]);
    });

    it('fires a volume-spike rule when volume reaches the factor times the window mean', () => {
      engine.addRule(
        rule('vol', { factor: 3, type: 'volume_spike', windowSeconds: 60 }),
      );
      expect(
        run(engine, [
          tick(100, 0, 100),
          tick(100, 10, 200),
          tick(100, 20, 449),
          tick(100, 30, 748),
          tick(100, 40, 1124),
        ]),
      ).toEqual([[], [], [], [], ['vol']]);
    });

    it('needs a baseline before a volume spike can fire', () => {
      engine.addRule(
        rule('vol', { factor: 2, type: 'volume_spike', windowSeconds: 5 }),
      );
      expect(run(engine, [tick(100, 0, 10), tick(100, 10, 1000)])).toEqual([
        [],
        [],
      ]);
    });
  });

  describe('#onSignal', () => {
    it('fires sentiment rules on score updates and ignores a duplicate update', () => {
      engine.addRule(rule('bull', { threshold: 0.5, type: 'sentiment_above' }));
      engine.addRule(
        rule('bear', { threshold: -0.5, type: 'sentiment_below' }),
      );
      const s = (value: number, seconds: number) =>
        engine.onSignal({
          asOf: T0 + seconds * 1000,
          metric: 'sentiment',
          symbol: 'AAPL',
          value,
        });
      expect(s(0.5, 0).fired).toEqual([]);
      expect(s(0.6, 1).fired.map((f) => f.idempotencyKey)).toEqual([
        `bull:sentiment:AAPL@${T0 + 1000}`,
      ]);
      expect(s(-0.9, 1).rejected).toBe('duplicate');
      expect(s(-0.9, 2).fired.map((f) => f.rule.id)).toEqual(['bear']);
    });
  });

  it('gives the same idempotency key to the same rule on the same tick', () => {
    engine.addRule(rule('r1', { threshold: 1, type: 'price_above' }));
    const fire = engine.onTick(tick(2, 7)).fired[0];
    expect(fire.idempotencyKey).toBe(`r1:AAPL@${T0 + 7000}`);
  });
});

describe('RuleEngine', () => {
  it('does not fire a crossing warmed up from already-processed ticks', () => {
    const engine = new RuleEngine();
    engine.addRule(rule('up', { threshold: 100, type: 'crossing_up' }));
    engine.warmUp(tick(99, 0));
    engine.warmUp(tick(101, 1));
    expect(engine.onTick(tick(102, 2)).fired).toEqual([]);
    expect(engine.symbolState('AAPL')).toEqual({
      lastAsOf: T0 + 2000,
      lastPrice: 102,
    });
  });

  it('reports the re-arm time of a rule in cooldown', () => {
    const engine = new RuleEngine();
    engine.addRule(
      rule(
        'r',
        { threshold: 1, type: 'price_above' },
        { cooldownSeconds: 30, mode: 'every_time' },
      ),
    );
    const fire = engine.onTick(tick(2, 0)).fired[0];
    expect(fire.rearmAt).toBe(T0 + 30_000);
    expect(engine.ruleState('r')).toEqual({ rearmAt: T0 + 30_000 });
  });

  it('replaces a rule added twice with the same id', () => {
    const engine = new RuleEngine();
    engine.addRule(rule('r', { threshold: 1, type: 'price_above' }));
    engine.addRule(rule('r', { threshold: 50, type: 'price_above' }));
    expect(engine.ruleCount).toBe(1);
    expect(engine.onTick(tick(10, 0)).fired).toEqual([]);
  });

  it('fires the same rules as a full scan on random tick sequences', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1664525 + 1013904223) % 4294967296;
      return seed / 4294967296;
    };
    const symbols = ['AAPL', 'MSFT', 'NVDA'];
    const triggers: AlertTrigger[] = [
      { mode: 'once' },
      { barSeconds: 30, mode: 'once_per_bar' },
      { cooldownSeconds: 0, mode: 'every_time' },
      { cooldownSeconds: 20, mode: 'every_time' },
    ];
    const conditions = (): AlertCondition => {
      const th = Math.round((90 + random() * 20) * 4) / 4;
      switch (Math.floor(random() * 8)) {
        case 0:
          return { threshold: th, type: 'price_above' };
        case 1:
          return { threshold: th, type: 'price_below' };
        case 2:
          return { threshold: th, type: 'crossing_up' };
        case 3:
          return { threshold: th, type: 'crossing_down' };
        case 4:
          return {
            direction: random() < 0.5 ? 'up' : 'down',
            percent: 0.5 + random() * 4,
            type: 'percent_move',
            windowSeconds: 10 + Math.floor(random() * 3) * 20,
          };
        case 5:
          return {
            factor: 1.5 + random() * 2,
            type: 'volume_spike',
            windowSeconds: 30,
          };
        case 6:
          return { threshold: random() * 2 - 1, type: 'sentiment_above' };
        default:
          return { threshold: random() * 2 - 1, type: 'sentiment_below' };
      }
    };
    const indexed = new RuleEngine();
    const naive = new NaiveRuleEngine();
    for (let i = 0; i < 600; i++) {
      const r: EvaluableRule = {
        condition: conditions(),
        expiresAt: random() < 0.1 ? T0 + random() * 3_000_000 : undefined,
        id: `r${i}`,
        symbol: symbols[i % symbols.length],
        trigger: triggers[Math.floor(random() * triggers.length)],
      };
      indexed.addRule(r);
      naive.addRule(r);
    }
    const prices = new Map(symbols.map((s) => [s, 100]));
    const times = new Map(symbols.map((s) => [s, T0]));
    let fires = 0;
    const seenIndexed: string[] = [];
    const seenNaive: string[] = [];
    const describeResult = (r: EvaluationResult) =>
      [
        r.rejected ?? '',
        r.fired
          .map((f) => f.idempotencyKey)
          .sort()
          .join(','),
        r.expired
          .map((e) => e.id)
          .sort()
          .join(','),
      ].join('|');
    for (let i = 0; i < 6000; i++) {
      const symbol = symbols[Math.floor(random() * symbols.length)];
      const dice = random();
      if (dice < 0.05) {
        const update = {
          asOf: times.get(symbol)!,
          metric: 'sentiment' as const,
          symbol,
          value: random() * 2 - 1,
        };
        const a = indexed.onSignal(update);
        const b = naive.onSignal(update);
        seenIndexed.push(describeResult(a));
        seenNaive.push(describeResult(b));
        continue;
      }
      // 5 % duplicates, 5 % out of order, the rest move forward (with gaps).
      const step =
        dice < 0.1
          ? 0
          : dice < 0.15
            ? -2000
            : 500 + Math.floor(random() * 3000);
      const asOf = times.get(symbol)! + step;
      if (step > 0) times.set(symbol, asOf);
      const price = Math.max(
        1,
        prices.get(symbol)! + (random() - 0.5) * (random() < 0.05 ? 12 : 2),
      );
      prices.set(symbol, price);
      const t: Tick = {
        asOf,
        price,
        symbol,
        volume: Math.floor(random() * (random() < 0.05 ? 5000 : 1000)),
      };
      const a = indexed.onTick(t);
      const b = naive.onTick(t);
      seenIndexed.push(describeResult(a));
      seenNaive.push(describeResult(b));
      fires += a.fired.length;
    }
    expect(seenIndexed).toEqual(seenNaive);
    expect(fires).toBeGreaterThan(500);
    expect(indexed.ruleCount).toBe(naive.ruleCount);
  });
});
