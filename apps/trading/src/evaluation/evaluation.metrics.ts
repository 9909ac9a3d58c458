import { METRICS_REGISTRY } from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of the quote-stream evaluator. */
@Injectable()
export class EvaluationMetrics {
  readonly batchSeconds: Histogram;
  readonly evalLag: Histogram;
  readonly fired: Counter;
  readonly rules: Gauge;
  readonly ticks: Counter<'outcome'>;
  private ruleBook: () => { maxRulesPerSymbol: number; symbols: number } =
    () => ({ maxRulesPerSymbol: 0, symbols: 0 });

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.ticks = new Counter({
      help: 'Quote ticks read from the stream by outcome (evaluated, duplicate, out_of_order, stale, invalid)',
      labelNames: ['outcome'],
      name: 'freeride_trading_ticks_total',
      registers: [registry],
    });
    this.fired = new Counter({
      help: 'Rule firings stored (replays excluded)',
      name: 'freeride_trading_rule_fires_total',
      registers: [registry],
    });
    this.rules = new Gauge({
      help: 'Armed or cooling-down rules held by the evaluator',
      name: 'freeride_trading_rules',
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      help: 'Time to evaluate and commit one tick batch',
      name: 'freeride_trading_eval_batch_seconds',
      registers: [registry],
    });
    this.evalLag = new Histogram({
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      help: 'Time from the gateway publishing a tick to the evaluator reading it',
      name: 'freeride_trading_eval_lag_seconds',
      registers: [registry],
    });
    const book = () => this.ruleBook();
    new Gauge({
      collect() {
        this.set(book().symbols);
      },
      help: 'Symbols with at least one rule',
      name: 'freeride_trading_symbols',
      registers: [registry],
    });
    new Gauge({
      collect() {
        this.set(book().maxRulesPerSymbol);
      },
      help: 'Rules of the symbol with the most rules (evaluation cost of its ticks)',
      name: 'freeride_trading_rules_per_symbol_max',
      registers: [registry],
    });
  }

  /** Where the per-symbol gauges read from at scrape time. */
  observeRuleBook(
    read: () => { maxRulesPerSymbol: number; symbols: number },
  ): void {
    this.ruleBook = read;
  }
}
