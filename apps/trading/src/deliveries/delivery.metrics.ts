import { METRICS_REGISTRY } from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of deliveries (every channel). */
@Injectable()
export class DeliveryMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly tickToDelivery: Histogram;
  private deadCount: () => Promise<number> = () => Promise.resolve(0);

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
    const dead = () => this.deadCount();
    new Gauge({
      async collect() {
        this.set(await dead());
      },
      help: 'Deliveries in the dead-letter list (all attempts failed), any channel',
      name: 'freeride_trading_dead_deliveries',
      registers: [registry],
    });
  }

  /** Where the dead-letter gauge reads from at scrape time. */
  observeDeadLetters(count: () => Promise<number>): void {
    this.deadCount = count;
  }
}
