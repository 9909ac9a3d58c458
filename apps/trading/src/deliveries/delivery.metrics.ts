import { METRICS_REGISTRY } from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Metrics of webhook deliveries. */
@Injectable()
export class DeliveryMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly tickToDelivery: Histogram;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.attempts = new Counter({
      help: 'Webhook delivery attempts by outcome (delivered, retry, dead)',
      labelNames: ['outcome'],
      name: 'freeride_trading_webhook_attempts_total',
      registers: [registry],
    });
    this.tickToDelivery = new Histogram({
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      help: 'Time from reading the tick to the webhook receiver answering 2xx',
      name: 'freeride_trading_tick_to_delivery_seconds',
      registers: [registry],
    });
  }
}
