import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The `reason` label values of `freeride_ingest_dead_lettered_total`: the
 * Elasticsearch error types a document is usually refused with, plus our
 * own. Any other type (it comes from Elasticsearch's answer, shaped by what
 * the sender wrote) is counted as `other`, so the label set stays fixed.
 */
export const DEAD_LETTER_REASONS: ReadonlySet<string> = new Set([
  'document_parsing_exception',
  'illegal_argument_exception',
  'mapper_parsing_exception',
  'retries_exhausted',
  'unmappable_entry',
]);

/** A dead-letter type as a label value of the fixed set. */
export function deadLetterReason(type: string): string {
  return DEAD_LETTER_REASONS.has(type) ? type : 'other';
}

/** Metrics of the write path, from stream to Elasticsearch. */
@Injectable()
export class IndexerMetrics {
  readonly backlogBytes: Gauge<'signal'>;
  readonly bulkDuration: Histogram<'signal'>;
  readonly deadLettered: Counter<'reason' | 'signal'>;
  readonly duplicates: Counter<'signal'>;
  readonly esUnavailable: Counter<'signal'>;
  readonly indexLatency: Histogram<'signal'>;
  readonly indexed: Counter<'signal'>;
  readonly lag: Gauge<'group' | 'signal'>;
  readonly retried: Counter<'signal'>;
  readonly trimmedBytes: Counter<'signal'>;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { durationBuckets, metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    const registers = [registry];
    this.indexed = new Counter({
      help: 'Documents created in Elasticsearch',
      labelNames: ['signal'],
      name: `${metricsPrefix}indexed_total`,
      registers,
    });
    this.duplicates = new Counter({
      help: 'Documents already present (409 on the deterministic id): an earlier attempt had written them',
      labelNames: ['signal'],
      name: `${metricsPrefix}duplicates_total`,
      registers,
    });
    this.retried = new Counter({
      help: 'Bulk items retried after 429/5xx',
      labelNames: ['signal'],
      name: `${metricsPrefix}retried_total`,
      registers,
    });
    this.deadLettered = new Counter({
      help: 'Documents written to the dead-letter index, by reason',
      labelNames: ['reason', 'signal'],
      name: `${metricsPrefix}dead_lettered_total`,
      registers,
    });
    this.esUnavailable = new Counter({
      help: 'Batches that could not reach Elasticsearch and stay pending',
      labelNames: ['signal'],
      name: `${metricsPrefix}elasticsearch_unavailable_total`,
      registers,
    });
    this.bulkDuration = new Histogram({
      buckets: [...durationBuckets],
      help: 'Time to settle one batch in Elasticsearch',
      labelNames: ['signal'],
      name: `${metricsPrefix}batch_duration_seconds`,
      registers,
    });
    this.indexLatency = new Histogram({
      buckets: [...durationBuckets],
      help: 'Time from acceptance to settlement in Elasticsearch',
      labelNames: ['signal'],
      name: `${metricsPrefix}index_latency_seconds`,
      registers,
    });
    this.backlogBytes = new Gauge({
      help: 'Bytes accepted and not yet acknowledged by every consumer group',
      labelNames: ['signal'],
      name: `${metricsPrefix}stream_backlog_bytes`,
      registers,
    });
    this.lag = new Gauge({
      help: 'Stream entries a consumer group has not yet acknowledged',
      labelNames: ['group', 'signal'],
      name: `${metricsPrefix}stream_lag_entries`,
      registers,
    });
    this.trimmedBytes = new Counter({
      help: 'Bytes removed from the stream after every group acknowledged them',
      labelNames: ['signal'],
      name: `${metricsPrefix}stream_trimmed_bytes_total`,
      registers,
    });
  }
}
