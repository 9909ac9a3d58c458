/** What a log anomaly primitive found. */
export type LogAnomalyKind =
  'burst' | 'error-share' | 'new-template' | 'silence';

/**
 * One finding of a log anomaly primitive ({@link NewTemplateDetector},
 * {@link LogRateDetector}, {@link ErrorShareDetector}).
 */
export interface LogAnomaly {
  /** The expected band of `observed` (counts per bucket, or a share). */
  readonly expected: { readonly high: number; readonly low: number };
  /** The template id or the service name the finding is about. */
  readonly key: string;
  /** What was found. */
  readonly kind: LogAnomalyKind;
  /** The observed value: count in the bucket, error share, or 1 for a new template. */
  readonly observed: number;
  /** Why, in one sentence for people. */
  readonly reason: string;
  /** Anomaly score in [0, 1]. */
  readonly score: number;
  /** Start of the time bucket (or the record's time for a new template), epoch ms. */
  readonly timestampMs: number;
}

/**
 * A log level: a name (`ERROR`, `warn`, `fatal`...) or an OpenTelemetry
 * severity number (1–24).
 *
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber
 */
export type LogLevel = number | string;
