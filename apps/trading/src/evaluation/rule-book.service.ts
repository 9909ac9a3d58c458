import { RuleEngine } from '@freeride/trading-rules';

import { Injectable } from '@nestjs/common';

import type { TradingRule } from './trading-rule';

/**
 * Owns the process's one {@link RuleEngine}. The API arms and disarms rules
 * here after writing PostgreSQL; the evaluator feeds it ticks. Node runs both
 * on one thread, so no locking is needed.
 */
@Injectable()
export class RuleBookService {
  readonly engine = new RuleEngine<TradingRule>();

  add(rule: TradingRule, rearmAt?: number): void {
    this.engine.addRule(rule, { rearmAt });
  }

  remove(id: string): void {
    this.engine.removeRule(id);
  }
}
