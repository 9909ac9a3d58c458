import type {
  AlertCondition,
  AlertTrigger,
  IndicatorInterval,
} from '@freeride/contracts';

import { RuleEngine } from '../engine/rule-engine';

/** One bar to replay; `start` in epoch ms. */
export interface ReplayBar {
  close: number;
  start: number;
}

/** When a replayed rule fired. */
export interface BacktestFire {
  /** Start of the bar whose close fired the rule (epoch ms). */
  at: number;
  price: number;
  /** The matched value (price, move, indicator value). */
  value: number;
}

/**
 * Replays a rule over bars, oldest first: each bar is one tick at its start
 * with its close, through the same engine as live ticks (bars of a rule's
 * indicator interval are built from those ticks), with the rule's trigger
 * mode (cooldowns and bar limits in bar time).
 */
export function backtestRule(
  rule: { condition: AlertCondition; symbol: string; trigger: AlertTrigger },
  bars: readonly ReplayBar[],
): BacktestFire[] {
  const engine = new RuleEngine();
  engine.addRule({ ...rule, id: 'backtest' });
  const fires: BacktestFire[] = [];
  for (const bar of bars) {
    const result = engine.onTick({
      asOf: bar.start,
      price: bar.close,
      symbol: rule.symbol,
    });
    for (const fire of result.fired) {
      fires.push({ at: bar.start, price: bar.close, value: fire.value });
    }
    if (engine.ruleCount === 0) break;
  }
  return fires;
}

/** The bar intervals a condition's indicators use (to seed them). */
export function indicatorIntervals(
  condition: AlertCondition,
): IndicatorInterval[] {
  const parts =
    condition.type === 'all' || condition.type === 'any'
      ? condition.conditions
      : condition.type === 'sequence'
        ? [condition.first, condition.then]
        : [condition];
  const out = new Set<IndicatorInterval>();
  for (const c of parts) if ('interval' in c) out.add(c.interval);
  return [...out];
}
