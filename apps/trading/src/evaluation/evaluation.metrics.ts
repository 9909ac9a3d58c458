import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

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

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { durationBuckets, metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    this.ticks = new Counter({
      help: 'Quote ticks read from the stream by outcome (evaluated, duplicate, out_of_order, stale, invalid)',
      labelNames: ['outcome'],
      name: `${metricsPrefix}ticks_total`,
      registers: [registry],
    });
    this.fired = new Counter({
      help: 'Rule firings stored (replays excluded)',
      name: `${metricsPrefix}rule_fires_total`,
      registers: [registry],
    });
    this.rules = new Gauge({
      help: 'Armed or cooling-down rules held by the evaluator',
      name: `${metricsPrefix}rules`,
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      buckets: [...durationBuckets],
      help: 'Time to evaluate and commit one tick batch',
      name: `${metricsPrefix}eval_batch_seconds`,
      registers: [registry],
    });
    this.evalLag = new Histogram({
      buckets: [...durationBuckets],
      help: 'Time from the gateway publishing a tick to the evaluator reading it',
      name: `${metricsPrefix}eval_lag_seconds`,
      registers: [registry],
    });
    const book = () => this.ruleBook();
    new Gauge({
      collect() {
        this.set(book().symbols);
      },
      help: 'Symbols with at least one rule',
      name: `${metricsPrefix}symbols`,
      registers: [registry],
    });
    new Gauge({
      collect() {
        this.set(book().maxRulesPerSymbol);
      },
      help: 'Rules of the symbol with the most rules (evaluation cost of its ticks)',
      name: `${metricsPrefix}rules_per_symbol_max`,
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
