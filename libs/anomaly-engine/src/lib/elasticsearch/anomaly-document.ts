import type { AnomalyEvent } from '@freeride/contracts';

/**
 * An anomaly as stored in the `anomalies-*` data streams: ECS where a field
 * exists (`@timestamp`, `service.name`, `event.*`, `trace.id`, `message`),
 * the rest under `anomaly.*`. The index template in
 * apps/anomaly/src/anomalies/anomalies-index-template.json maps every field.
 *
 * @see https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
 */
export interface AnomalyDocument {
  readonly '@timestamp': string;
  readonly anomaly: {
    readonly baseline: {
      readonly expected: number;
      readonly lower?: number;
      readonly observed: number;
      readonly unit: string;
      readonly upper?: number;
    };
    readonly id: string;
    readonly key: string;
    readonly kind: string;
    readonly links: { readonly discover: string; readonly runbook: string };
    readonly metric?: string;
    readonly samples: readonly {
      readonly '@timestamp': string;
      readonly message: string;
      readonly span_id?: string;
      readonly trace_id?: string;
    }[];
    readonly score: number;
    readonly severity: string;
    readonly status: string;
    readonly template?: string;
    readonly template_id?: string;
    readonly window: { readonly end?: string; readonly start: string };
  };
  readonly event: {
    readonly dataset: 'freeride.anomaly';
    readonly kind: 'alert';
    readonly module: 'freeride';
  };
  readonly message: string;
  readonly service: { readonly name: string };
  readonly trace?: { readonly id: string[] };
}

/** Maps an anomaly event to its Elasticsearch document. */
export function toAnomalyDocument(event: AnomalyEvent): AnomalyDocument {
  const what = event.template ?? event.metric ?? 'all records';
  return {
    '@timestamp': event['@timestamp'],
    anomaly: {
      baseline: event.baseline,
      id: event.id,
      key: event.key,
      kind: event.kind,
      links: event.links,
      samples: event.samples.map((s) => ({
        '@timestamp': s['@timestamp'],
        message: s.message,
        ...(s.spanId ? { span_id: s.spanId } : {}),
        ...(s.traceId ? { trace_id: s.traceId } : {}),
      })),
      score: event.score,
      severity: event.severity,
      status: event.status,
      window: event.window,
      ...(event.metric ? { metric: event.metric } : {}),
      ...(event.template ? { template: event.template } : {}),
      ...(event.templateId ? { template_id: event.templateId } : {}),
    },
    event: { dataset: 'freeride.anomaly', kind: 'alert', module: 'freeride' },
    message: `${event.kind} ${event.status} in ${event.service}: ${what}`,
    service: { name: event.service },
    ...(event.traceIds.length > 0 ? { trace: { id: event.traceIds } } : {}),
  };
}
