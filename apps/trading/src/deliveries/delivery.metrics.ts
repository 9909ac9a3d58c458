import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of deliveries (every channel). */
@Injectable()
export class DeliveryMetrics {
  readonly attempts: Counter<'outcome'>;
  readonly tickToDelivery: Histogram;
  /** How long the oldest due delivery job has waited past its time. */
  readonly overdue: Gauge;
  readonly workerReplacements: Counter;
  private deadCount: () => Promise<number> = () => Promise.resolve(0);

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { durationBuckets, metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    this.attempts = new Counter({
      help: 'Webhook delivery attempts by outcome (delivered, retry, dead)',
      labelNames: ['outcome'],
      name: `${metricsPrefix}webhook_attempts_total`,
      registers: [registry],
    });
    // Every outcome exported from start at 0, so that the first delivery after
    // the first scrape shows as an increase (a series born at 1 does not).
    for (const outcome of ['delivered', 'retry', 'dead'])
      this.attempts.inc({ outcome }, 0);
    this.tickToDelivery = new Histogram({
      buckets: [...durationBuckets],
      help: 'Time from reading the tick to the webhook receiver answering 2xx',
      name: `${metricsPrefix}tick_to_delivery_seconds`,
      registers: [registry],
    });
    this.overdue = new Gauge({
      help: 'How long the oldest delivery job due for running (a retry, or a delivery recovered after a crash) has waited past its time',
      name: `${metricsPrefix}delivery_overdue_seconds`,
      registers: [registry],
    });
    this.workerReplacements = new Counter({
      help: 'Delivery workers replaced because they started no job while deliveries were due',
      name: `${metricsPrefix}delivery_worker_replacements_total`,
      registers: [registry],
    });
    const dead = () => this.deadCount();
    new Gauge({
      async collect() {
        this.set(await dead());
      },
      help: 'Deliveries in the dead-letter list (all attempts failed), any channel',
      name: `${metricsPrefix}dead_deliveries`,
      registers: [registry],
    });
  }

  /** Where the dead-letter gauge reads from at scrape time. */
  observeDeadLetters(count: () => Promise<number>): void {
    this.deadCount = count;
  }
}
