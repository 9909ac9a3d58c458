import type { AnomalyEvent, AnomalyKind } from '@freeride/contracts';

import type { Finding } from './findings';

/** Links of an anomaly, built by the caller (Kibana and runbook base URLs are config). */
export interface AnomalyLinks {
  readonly discover: string;
  readonly runbook: string;
}

/** Builds the links of an anomaly for a service and an event-time window. */
export type AnomalyLinkBuilder = (input: {
  readonly from: Date;
  readonly kind: AnomalyKind;
  readonly service: string;
  readonly to: Date;
}) => AnomalyLinks;

/** Context of links: this much event time before the start and after the end. */
const LINK_MARGIN_MS = 5 * 60_000;

/**
 * Turns a finding into the {@link AnomalyEvent} of it firing (`endMs` unset)
 * or resolving at event time `atMs`, for an anomaly that started at `sinceMs`.
 */
export type EventOf = (
  key: string,
  finding: Finding,
  status: 'firing' | 'resolved',
  atMs: number,
  sinceMs: number,
  endMs?: number,
) => AnomalyEvent;

/**
 * The event builder of an engine: each event carries its window, links,
 * samples and the trace ids of its samples. The id is stable per key, start
 * and status, so a repost is idempotent.
 */
export function anomalyEventBuilder(links: AnomalyLinkBuilder): EventOf {
  return (key, finding, status, atMs, sinceMs, endMs) => {
    const start = new Date(sinceMs);
    const end = new Date(endMs ?? atMs);
    const traceIds = [
      ...new Set(
        finding.samples.flatMap((s) => (s.traceId ? [s.traceId] : [])),
      ),
    ];
    return {
      '@timestamp': new Date(atMs).toISOString(),
      baseline: finding.baseline,
      id: `${key}:${sinceMs}:${status}`,
      key,
      kind: finding.kind,
      links: links({
        from: new Date(sinceMs - LINK_MARGIN_MS),
        kind: finding.kind,
        service: finding.service,
        to: new Date((endMs ?? atMs) + LINK_MARGIN_MS),
      }),
      samples: finding.samples,
      score: finding.score,
      service: finding.service,
      severity: finding.severity,
      status,
      traceIds,
      window:
        status === 'resolved'
          ? { end: end.toISOString(), start: start.toISOString() }
          : { start: start.toISOString() },
      ...(finding.metric ? { metric: finding.metric } : {}),
      ...(finding.template ? { template: finding.template } : {}),
      ...(finding.templateId ? { templateId: finding.templateId } : {}),
    };
  };
}
