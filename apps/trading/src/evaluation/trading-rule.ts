import type { AlertDelivery } from '@freeride/contracts';
import type { EvaluableRule } from '@freeride/trading-rules';

/** A rule as the evaluator holds it: the engine's view plus what a delivery needs. */
export interface TradingRule extends EvaluableRule {
  delivery: AlertDelivery;
  name: string | null;
  traderId: string;
}

/** An active rule loaded at start-up, with its persisted cooldown. */
export interface ActiveRuleRecord extends TradingRule {
  rearmAt?: number;
}
