import { METRICS_REGISTRY } from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of the quote-stream evaluator. */
@Injectable()
export class EvaluationMetrics {
  readonly batchSeconds: Histogram;
  readonly fired: Counter;
  readonly rules: Gauge;
  readonly ticks: Counter<'outcome'>;

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
  }
}
