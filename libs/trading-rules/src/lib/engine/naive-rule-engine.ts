import type {
  EvaluableRule,
  EvaluationResult,
  RuleEvaluator,
  RuleFire,
  RuleRuntimeState,
  SignalUpdate,
  Tick,
} from './engine.types';
import { EPSILON, SymbolState } from './symbol-state';
import { fireKey, rearmTime } from './trigger-policy';

interface NaiveEntry<R> {
  rearmAt?: number;
  rule: R;
}

/**
 * The legacy approach, kept as a baseline for the benchmark and as an oracle
 * for the indexed engine's tests: every tick scans every rule. Same
 * semantics as {@link RuleEngine}, O(total rules) per tick.
 */
export class NaiveRuleEngine<
  R extends EvaluableRule = EvaluableRule,
> implements RuleEvaluator<R> {
  private readonly rules = new Map<string, NaiveEntry<R>>();
  private readonly states = new Map<string, SymbolState>();

  get ruleCount(): number {
    return this.rules.size;
  }

  addRule(rule: R, state: RuleRuntimeState = {}): void {
    this.rules.set(rule.id, { rearmAt: state.rearmAt, rule });
    const c = rule.condition;
    if (c.type === 'percent_move' || c.type === 'volume_spike') {
      const s = this.state(rule.symbol);
      s.maxWindowMs = Math.max(s.maxWindowMs, c.windowSeconds * 1000);
    }
  }

  removeRule(id: string): boolean {
    return this.rules.delete(id);
  }

  onTick(tick: Tick): EvaluationResult<R> {
    const state = this.state(tick.symbol);
    const rejected = state.admit(tick.asOf);
    if (rejected) return { expired: [], fired: [], rejected };
    const prev = state.lastPrice;
    state.push(tick.asOf, tick.price, tick.volume ?? 0);
    return this.scan(tick.symbol, tick.asOf, 'price', (rule) => {
      const c = rule.condition;
      const p = tick.price;
      switch (c.type) {
        case 'price_above':
          return p > c.threshold ? p : undefined;
        case 'price_below':
          return p < c.threshold ? p : undefined;
        case 'crossing_up':
          return prev !== undefined && prev < c.threshold && c.threshold <= p
            ? p
            : undefined;
        case 'crossing_down':
          return prev !== undefined && prev > c.threshold && c.threshold >= p
            ? p
            : undefined;
        case 'percent_move': {
          const move = state.percentMove(c.windowSeconds * 1000);
          if (move === undefined) return undefined;
          if (c.direction === 'up') {
            return move > 0 && c.percent <= move + EPSILON ? move : undefined;
          }
          return move < 0 && c.percent <= -move + EPSILON ? move : undefined;
        }
        case 'volume_spike': {
          const ratio = state.volumeRatio(c.windowSeconds * 1000);
          return ratio !== undefined && c.factor <= ratio + EPSILON
            ? ratio
            : undefined;
        }
        default:
          return undefined;
      }
    });
  }

  onSignal(update: SignalUpdate): EvaluationResult<R> {
    const state = this.state(update.symbol);
    const rejected = state.admitSignal(update.asOf, update.value);
    if (rejected) return { expired: [], fired: [], rejected };
    const v = update.value;
    return this.scan(update.symbol, update.asOf, 'sentiment', (rule) => {
      const c = rule.condition;
      if (c.type === 'sentiment_above') return v > c.threshold ? v : undefined;
      if (c.type === 'sentiment_below') return v < c.threshold ? v : undefined;
      return undefined;
    });
  }

  private scan(
    symbol: string,
    asOf: number,
    metric: 'price' | 'sentiment',
    match: (rule: R) => number | undefined,
  ): EvaluationResult<R> {
    const result: EvaluationResult<R> = { expired: [], fired: [] };
    for (const entry of this.rules.values()) {
      const rule = entry.rule;
      if (rule.symbol !== symbol) continue;
      if (entry.rearmAt !== undefined) {
        if (entry.rearmAt > asOf) continue;
        entry.rearmAt = undefined;
      }
      const value = match(rule);
      if (value === undefined) continue;
      if (rule.expiresAt !== undefined && rule.expiresAt <= asOf) {
        this.rules.delete(rule.id);
        result.expired.push(rule);
        continue;
      }
      const rearmAt = rearmTime(rule.trigger, asOf);
      const fire: RuleFire<R> = {
        asOf,
        idempotencyKey: fireKey(rule.id, rule.symbol, asOf, metric),
        rule,
        value,
      };
      if (rearmAt === null) {
        this.rules.delete(rule.id);
      } else if (rearmAt !== undefined) {
        entry.rearmAt = rearmAt;
        fire.rearmAt = rearmAt;
      }
      result.fired.push(fire);
    }
    return result;
  }

  private state(symbol: string): SymbolState {
    let state = this.states.get(symbol);
    if (!state) {
      state = new SymbolState();
      this.states.set(symbol, state);
    }
    return state;
  }
}
