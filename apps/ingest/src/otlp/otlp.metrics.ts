import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';

/** Counters of the receive path, by signal and source. */
@Injectable()
export class OtlpMetrics {
  readonly accepted: Counter<'signal' | 'source'>;
  readonly received: Counter<'signal' | 'source'>;
  readonly rejected: Counter<'reason' | 'signal'>;
  readonly rejectedItems: Counter<'reason' | 'signal'>;
  readonly timestampsAdjusted: Counter<'reason' | 'signal'>;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    this.received = new Counter({
      help: 'Items (log records, spans, data points) received in well-formed requests',
      labelNames: ['signal', 'source'],
      name: `${metricsPrefix}received_total`,
      registers: [registry],
    });
    this.accepted = new Counter({
      help: 'Documents (log records, spans, data points) durable in the ingest stream and acknowledged to the sender',
      labelNames: ['signal', 'source'],
      name: `${metricsPrefix}accepted_total`,
      registers: [registry],
    });
    this.rejected = new Counter({
      help: 'Requests refused, by reason (unauthenticated, forbidden, not_found, bad_request, too_large, unsupported_media_type, back_pressure, unavailable, internal) and signal (logs, traces, metrics or unknown)',
      labelNames: ['reason', 'signal'],
      name: `${metricsPrefix}rejected_requests_total`,
      registers: [registry],
    });
    this.rejectedItems = new Counter({
      help: 'Items refused inside an accepted request (OTLP partial success), by reason',
      labelNames: ['reason', 'signal'],
      name: `${metricsPrefix}rejected_items_total`,
      registers: [registry],
    });
    this.timestampsAdjusted = new Counter({
      help: 'Records kept with @timestamp set to their receipt time because their own time was outside the accepted window, by reason (too_old, in_future)',
      labelNames: ['reason', 'signal'],
      name: `${metricsPrefix}timestamps_adjusted_total`,
      registers: [registry],
    });
  }
}
