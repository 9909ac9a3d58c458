import { z } from 'zod';

/**
 * What an anomaly is about.
 * - `new_template`: a log template never seen before, at error level.
 * - `rate_burst` / `rate_silence`: a template's rate left its baseline.
 * - `error_share`: the share of error records of a service jumped.
 * - `metric`: a metric series (OTLP or Prometheus) left its baseline.
 */
export const ANOMALY_KINDS = [
  'error_share',
  'metric',
  'new_template',
  'rate_burst',
  'rate_silence',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** Severity, used by Alertmanager routing (`critical` pages). */
export const ANOMALY_SEVERITIES = ['critical', 'info', 'warning'] as const;
export type AnomalySeverity = (typeof ANOMALY_SEVERITIES)[number];

/** The baseline an anomaly broke, so on-call sees expected versus observed. */
export const AnomalyBaselineSchema = z.object({
  /** Expected value (rate per minute, share 0..1, or metric value). */
  expected: z.number(),
  /** Lower bound of the normal band, when the detector has one. */
  lower: z.number().optional(),
  /** Observed value that broke the baseline. */
  observed: z.number(),
  /** Unit of the three numbers, e.g. `per_minute`, `ratio`, `seconds`. */
  unit: z.string(),
  /** Upper bound of the normal band, when the detector has one. */
  upper: z.number().optional(),
});
export type AnomalyBaseline = z.infer<typeof AnomalyBaselineSchema>;

/** One sample log line attached to an anomaly. */
export const AnomalySampleSchema = z.object({
  '@timestamp': z.string(),
  message: z.string(),
  spanId: z.string().optional(),
  traceId: z.string().optional(),
});
export type AnomalySample = z.infer<typeof AnomalySampleSchema>;

/**
 * One anomaly, as apps/anomaly writes it to `anomalies-*` and turns it into
 * an Alertmanager alert. A firing anomaly and its resolution share `key`.
 */
export const AnomalyEventSchema = z.object({
  /** Event time (not wall time) at which this state was decided. */
  '@timestamp': z.string(),
  baseline: AnomalyBaselineSchema,
  /** Unique id of this document. */
  id: z.string().min(1),
  /**
   * Stable identity of the anomaly across firing and resolution:
   * `<kind>:<service>:<template id or metric series>`, and `new_template:<service>`
   * for every new pattern of one incident.
   */
  key: z.string().min(1),
  kind: z.enum(ANOMALY_KINDS),
  links: z.object({
    /** Kibana Discover, filtered on the service and the anomaly window. */
    discover: z.string(),
    /** Runbook for this kind of anomaly. */
    runbook: z.string(),
  }),
  /** Metric name, for `metric` anomalies. */
  metric: z.string().optional(),
  samples: z.array(AnomalySampleSchema).default([]),
  /** Detector score; larger is more anomalous. */
  score: z.number(),
  service: z.string().min(1),
  severity: z.enum(ANOMALY_SEVERITIES),
  status: z.enum(['firing', 'resolved']),
  /** Log template text, for template anomalies. */
  template: z.string().optional(),
  templateId: z.string().optional(),
  /** Trace ids of the samples, deduplicated. */
  traceIds: z.array(z.string()).default([]),
  /** Event-time window of the anomaly (end is absent while firing). */
  window: z.object({
    end: z.string().optional(),
    start: z.string(),
  }),
});
export type AnomalyEvent = z.infer<typeof AnomalyEventSchema>;
