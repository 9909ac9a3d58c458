import type { AnomalyEvent } from '@freeride/contracts';

import { ANOMALY_ALERT_NAME } from '../anomaly-engine.constants';
import type { AlertmanagerAlert } from './alertmanager-alert';

/** Options of {@link toAlertmanagerAlert}. */
export interface ToAlertmanagerAlertOptions {
  /** A PNG chart of the anomaly's series (metric anomalies), linked from the alert. */
  readonly chartUrl?: string;
  /** Where the alert came from, e.g. the anomaly document in Kibana. */
  readonly generatorUrl: string;
  /** Wall-clock now; Alertmanager compares `endsAt` with its own clock. */
  readonly now: Date;
  /**
   * How long a firing alert stays firing without being posted again; the
   * poster re-posts well before that.
   * @default 300_000
   */
  readonly resolveAfterMs?: number;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function summaryOf(anomaly: AnomalyEvent): string {
  const what = anomaly.template ?? anomaly.metric ?? 'all records';
  switch (anomaly.kind) {
    case 'new_template':
      return `New error pattern in ${anomaly.service}: ${what}`;
    case 'rate_burst':
      return `Log burst in ${anomaly.service}: ${what}`;
    case 'rate_silence':
      return `Log silence in ${anomaly.service}: ${what}`;
    case 'error_share':
      return `Error share jumped in ${anomaly.service}`;
    case 'metric':
      return `Metric ${what} of ${anomaly.service} left its baseline`;
  }
}

/**
 * Maps an anomaly to an Alertmanager alert. Labels hold only the identity
 * (alertname, service, kind, severity and the template id or metric), so that
 * every post for one anomaly deduplicates into one alert; everything else is
 * an annotation. A resolved anomaly gets an `endsAt` no later than `now`.
 */
export function toAlertmanagerAlert(
  anomaly: AnomalyEvent,
  options: ToAlertmanagerAlertOptions,
): AlertmanagerAlert {
  const labels: Record<string, string> = {
    alertname: ANOMALY_ALERT_NAME,
    kind: anomaly.kind,
    service: anomaly.service,
    severity: anomaly.severity,
  };
  if (anomaly.templateId) labels['template_id'] = anomaly.templateId;
  if (anomaly.metric) labels['metric'] = anomaly.metric;

  const { baseline } = anomaly;
  const band =
    baseline.lower !== undefined && baseline.upper !== undefined
      ? ` (normal ${formatNumber(baseline.lower)}..${formatNumber(baseline.upper)})`
      : '';
  const annotations: Record<string, string> = {
    baseline: `observed ${formatNumber(baseline.observed)} ${baseline.unit}, expected ${formatNumber(baseline.expected)}${band}`,
    description: `${summaryOf(anomaly)}; score ${formatNumber(anomaly.score)}`,
    discover_url: anomaly.links.discover,
    runbook_url: anomaly.links.runbook,
    score: formatNumber(anomaly.score),
    summary: summaryOf(anomaly),
  };
  const traceId = anomaly.traceIds[0];
  if (traceId) annotations['sample_trace_id'] = traceId;
  const sample = anomaly.samples[0];
  if (sample) annotations['sample_message'] = sample.message.slice(0, 500);
  if (anomaly.template) annotations['template'] = anomaly.template;
  if (options.chartUrl) annotations['chart_url'] = options.chartUrl;

  const nowMs = options.now.getTime();
  const startsMs = Math.min(Date.parse(anomaly.window.start), nowMs);
  const endsMs =
    anomaly.status === 'resolved'
      ? Math.max(
          startsMs,
          Math.min(
            Date.parse(anomaly.window.end ?? anomaly['@timestamp']),
            nowMs,
          ),
        )
      : nowMs + (options.resolveAfterMs ?? 300_000);
  return {
    annotations,
    endsAt: new Date(endsMs).toISOString(),
    generatorURL: options.generatorUrl,
    labels,
    startsAt: new Date(startsMs).toISOString(),
  };
}
