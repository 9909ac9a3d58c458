import type { AlertCondition, AlertTrigger } from '@freeride/contracts';

/** A rule as the evaluation engines see it. */
export interface EvaluableRule {
  condition: AlertCondition;
  /** Epoch milliseconds after which the rule never fires (tick time). */
  expiresAt?: number;
  id: string;
  symbol: string;
  trigger: AlertTrigger;
}

/** Runtime state of a rule that survives a restart (kept in PostgreSQL). */
export interface RuleRuntimeState {
  /**
   * Tick time (epoch ms) before which the rule stays disarmed after firing
   * (cooldown or bar). Absent when the rule is armed.
   */
  rearmAt?: number;
}

/** One price observation, as the engine needs it. */
export interface Tick {
  /** Epoch milliseconds of the price according to the provider. */
  asOf: number;
  price: number;
  symbol: string;
  /** Trade size; a missing volume counts as 0 in volume baselines. */
  volume?: number;
}

/** A new value of a non-price signal of a symbol (news sentiment). */
export interface SignalUpdate {
  asOf: number;
  metric: 'sentiment';
  symbol: string;
  /** Sentiment score in [-1, 1]. */
  value: number;
}

/** One firing of one rule on one tick or signal. */
export interface RuleFire<R extends EvaluableRule = EvaluableRule> {
  /** Tick (or signal) time, epoch milliseconds. */
  asOf: number;
  /**
   * `<ruleId>:<symbol>@<asOf>` (ticks) or `<ruleId>:sentiment:<symbol>@<asOf>`:
   * the same rule on the same tick always yields the same key, so a replay
   * after a restart is recognised as a duplicate.
   */
  idempotencyKey: string;
  /** Price of the tick that fired (absent for signal firings). */
  price?: number;
  /** When the rule re-arms (tick time); absent for `once` rules and cooldown 0. */
  rearmAt?: number;
  rule: R;
  /** The observed value that matched: price, percent move, volume ratio or score. */
  value: number;
}

/** Why a tick was not evaluated. */
export type TickRejection = 'duplicate' | 'out_of_order';

/** What one tick or signal did. */
export interface EvaluationResult<R extends EvaluableRule = EvaluableRule> {
  /** Rules found expired while matching; the caller deactivates them. */
  expired: R[];
  fired: RuleFire<R>[];
  /** Set when the tick was ignored. */
  rejected?: TickRejection;
}

/** The interface both the indexed and the naive engine implement. */
export interface RuleEvaluator<R extends EvaluableRule = EvaluableRule> {
  addRule(rule: R, state?: RuleRuntimeState): void;
  onSignal(update: SignalUpdate): EvaluationResult<R>;
  onTick(tick: Tick): EvaluationResult<R>;
  removeRule(id: string): boolean;
  readonly ruleCount: number;
}
