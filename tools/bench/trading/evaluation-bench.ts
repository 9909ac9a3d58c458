import type { AlertTrigger } from '@freeride/contracts';
import {
  NaiveRuleEngine,
  NaiveSignals,
  type ReplayTick,
  RuleEngine,
} from '@freeride/trading-rules';

import {
  makeIndicatorRules,
  makeRules,
  makeSeedBars,
  makeTicks,
  prng,
  symbolName,
} from './bench-data';
import {
  N_INDICATOR_RULES,
  N_RULES,
  N_SYMBOLS,
  N_TICKS,
  args,
} from './bench-options';

/** Every matching tick fires, so the engine and the oracle compare tick by tick. */
const EVERY_TICK = { cooldownSeconds: 0, mode: 'every_time' } as const;

/** Indexed engine vs the naive scan over the same replay (plain conditions). */
export function benchEvaluation() {
  const rules = makeRules(prng(1), 60);
  const ticks = makeTicks(prng(2), N_TICKS, Date.UTC(2026, 0, 5, 14, 30));
  const indexed = new RuleEngine();
  for (const r of rules) indexed.addRule(r);
  let fires = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ticks.count; i++) {
    fires += indexed.onTick({
      asOf: ticks.asOf(i),
      price: ticks.price[i],
      symbol: symbolName(ticks.sym[i]),
      volume: ticks.volume[i],
    }).fired.length;
  }
  const indexedSeconds = Number(process.hrtime.bigint() - start) / 1e9;

  const naiveTicks = Math.min(N_TICKS, Number(args['naive-ticks']));
  const a = new RuleEngine();
  const b = new NaiveRuleEngine();
  for (const r of rules) {
    a.addRule(r);
    b.addRule(r);
  }
  let mismatches = 0;
  let prefixFires = 0;
  let naiveNs = 0n;
  for (let i = 0; i < naiveTicks; i++) {
    const t = {
      asOf: ticks.asOf(i),
      price: ticks.price[i],
      symbol: symbolName(ticks.sym[i]),
      volume: ticks.volume[i],
    };
    const ra = a.onTick(t);
    const t0 = process.hrtime.bigint();
    const rb = b.onTick(t);
    naiveNs += process.hrtime.bigint() - t0;
    prefixFires += ra.fired.length;
    const ka = ra.fired
      .map((f) => f.idempotencyKey)
      .sort()
      .join();
    const kb = rb.fired
      .map((f) => f.idempotencyKey)
      .sort()
      .join();
    if (ka !== kb) mismatches++;
  }
  const naiveSeconds = Number(naiveNs) / 1e9;
  return {
    fires,
    indexedSeconds,
    indexedTicksPerSecond: Math.round(N_TICKS / indexedSeconds),
    naiveMismatchedTicks: mismatches,
    naivePrefixFires: prefixFires,
    naiveSeconds,
    naiveTicks,
    naiveTicksPerSecond: Math.round(naiveTicks / naiveSeconds),
    rules: N_RULES,
    speedup: Math.round(N_TICKS / indexedSeconds / (naiveTicks / naiveSeconds)),
    symbols: N_SYMBOLS,
    ticks: N_TICKS,
  };
}

/**
 * Indicator rules (SMA/EMA, crossovers, RSI, MACD, Bollinger, an AND) on bars
 * built from the ticks, seeded with 60 bars per symbol: the engine over the
 * whole replay (60 s cooldowns, as the plain rules), and, with every matching
 * tick firing, the engine against a naive recomputation (bars and indicators rebuilt from
 * the history at every question) over a prefix, which must agree tick by tick.
 */
export function benchIndicatorEvaluation() {
  const t0 = Date.UTC(2026, 0, 5, 14, 30);
  const seeds = makeSeedBars(prng(4), t0);
  const ticks = makeTicks(prng(2), N_TICKS, t0);
  const build = (trigger: AlertTrigger) => {
    const engine = new RuleEngine();
    for (const r of makeIndicatorRules(N_INDICATOR_RULES, trigger)) {
      engine.addRule(r);
    }
    for (const [s, bars] of seeds.entries()) {
      engine.seedBars(symbolName(s), '1min', bars, t0);
    }
    return engine;
  };
  // As the plain-rule run: a 60 s cooldown (tick time) between firings of a rule.
  const engine = build({ cooldownSeconds: 60, mode: 'every_time' });
  let fires = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ticks.count; i++) {
    fires += engine.onTick({
      asOf: ticks.asOf(i),
      price: ticks.price[i],
      symbol: symbolName(ticks.sym[i]),
    }).fired.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  // The oracle: per symbol, its ticks so far; every rule asked at every tick.
  const naiveTicks = Math.min(N_TICKS, Number(args['naive-ticks']));
  const check = build(EVERY_TICK);
  const rules = makeIndicatorRules(N_INDICATOR_RULES, EVERY_TICK);
  const bySymbol = new Map<number, typeof rules>();
  for (const [i, r] of rules.entries()) {
    const list = bySymbol.get(i % N_SYMBOLS) ?? [];
    list.push(r);
    bySymbol.set(i % N_SYMBOLS, list);
  }
  const history = Array.from({ length: N_SYMBOLS }, () => [] as ReplayTick[]);
  const oracles = history.map(
    (h, s) => new NaiveSignals(h, { '1min': seeds[s].map((b) => b.close) }),
  );
  let mismatches = 0;
  let naiveFires = 0;
  let naiveNs = 0n;
  for (let i = 0; i < naiveTicks; i++) {
    const s = ticks.sym[i];
    const tick = { asOf: ticks.asOf(i), price: ticks.price[i] };
    const got = check
      .onTick({ ...tick, symbol: symbolName(s) })
      .fired.map((f) => f.rule.id)
      .sort()
      .join();
    const t = process.hrtime.bigint();
    history[s].push(tick);
    const want = (bySymbol.get(s) ?? [])
      .filter(
        (r) =>
          oracles[s].valueAt(r.condition, history[s].length - 1) !== undefined,
      )
      .map((r) => r.id)
      .sort();
    naiveNs += process.hrtime.bigint() - t;
    naiveFires += want.length;
    if (got !== want.join()) mismatches++;
  }
  const naiveSeconds = Number(naiveNs) / 1e9;
  return {
    fires,
    naiveFires,
    naiveMismatchedTicks: mismatches,
    naiveSeconds,
    naiveTicks,
    naiveTicksPerSecond: Math.round(naiveTicks / naiveSeconds),
    rules: N_INDICATOR_RULES,
    seconds,
    speedup: Math.round(N_TICKS / seconds / (naiveTicks / naiveSeconds)),
    symbols: N_SYMBOLS,
    ticks: N_TICKS,
    ticksPerSecond: Math.round(N_TICKS / seconds),
  };
}
