/**
 * The normalised, JSON-serialisable form of an OTLP export request: the
 * OTLP/JSON shape, with every field present (proto3 defaults filled in) so
 * that JSON and protobuf bodies decode to deep-equal objects.
 *
 * - trace and span ids: lowercase hex strings (`''` when unset);
 * - 64-bit integers (times, counts, `intValue`, `asInt`): decimal strings;
 * - doubles: numbers, or `'NaN'`, `'Infinity'`, `'-Infinity'`;
 * - enums: numbers; bytes (`bytesValue`): base64.
 *
 * Exemplars, `Metric.metadata` and `Resource.entityRefs` are not kept.
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 * @see https://github.com/open-telemetry/opentelemetry-proto/tree/main/opentelemetry/proto
 */

/**
 * An OTLP signal, as in the `/v1/<signal>` path.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
 */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

/**
 * The request body encoding (`application/x-protobuf` or `application/json`).
 * @see https://opentelemetry.io/docs/specs/otlp/#binary-protobuf-encoding
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * A proto3-JSON double: non-finite values are strings.
 * @see https://protobuf.dev/programming-guides/json/
 */
export type OtlpDouble = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * `opentelemetry.proto.common.v1.AnyValue`: at most one field is set; none
 * set is an empty value.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto
 */
export interface OtlpAnyValue {
  arrayValue?: { values: OtlpAnyValue[] };
  boolValue?: boolean;
  /** Base64. */
  bytesValue?: string;
  doubleValue?: OtlpDouble;
  /** Decimal int64. */
  intValue?: string;
  kvlistValue?: { values: OtlpKeyValue[] };
  stringValue?: string;
}

/**
 * `opentelemetry.proto.common.v1.KeyValue`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto
 */
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/**
 * `opentelemetry.proto.resource.v1.Resource`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/resource/v1/resource.proto
 */
export interface OtlpResource {
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

/**
 * `opentelemetry.proto.common.v1.InstrumentationScope`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto
 */
export interface OtlpScope {
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  name: string;
  version: string;
}

/**
 * `opentelemetry.proto.logs.v1.LogRecord`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/logs/v1/logs.proto
 */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body?: OtlpAnyValue;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: string;
  spanId: string;
  eventName: string;
}

/**
 * `opentelemetry.proto.logs.v1.ScopeLogs`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/logs/v1/logs.proto
 */
export interface OtlpScopeLogs {
  scope: OtlpScope;
  logRecords: OtlpLogRecord[];
  schemaUrl: string;
}

/**
 * `opentelemetry.proto.logs.v1.ResourceLogs`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/logs/v1/logs.proto
 */
export interface OtlpResourceLogs {
  resource: OtlpResource;
  scopeLogs: OtlpScopeLogs[];
  schemaUrl: string;
}

/**
 * `opentelemetry.proto.trace.v1.Span.Event`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export interface OtlpSpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

/**
 * `opentelemetry.proto.trace.v1.Span.Link`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export interface OtlpSpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

/**
 * `opentelemetry.proto.trace.v1.Span`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState: string;
  parentSpanId: string;
  flags: number;
  name: string;
  /** 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  events: OtlpSpanEvent[];
  droppedEventsCount: number;
  links: OtlpSpanLink[];
  droppedLinksCount: number;
  /** `code`: 0 unset, 1 ok, 2 error. */
  status: { message: string; code: number };
}

/**
 * `opentelemetry.proto.trace.v1.ScopeSpans`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export interface OtlpScopeSpans {
  scope: OtlpScope;
  spans: OtlpSpan[];
  schemaUrl: string;
}

/**
 * `opentelemetry.proto.trace.v1.ResourceSpans`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
export interface OtlpResourceSpans {
  resource: OtlpResource;
  scopeSpans: OtlpScopeSpans[];
  schemaUrl: string;
}

/**
 * `opentelemetry.proto.metrics.v1.NumberDataPoint` (exemplars dropped).
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpNumberDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble?: OtlpDouble;
  /** Decimal int64. */
  asInt?: string;
  flags: number;
}

/**
 * `opentelemetry.proto.metrics.v1.HistogramDataPoint` (exemplars dropped).
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpHistogramDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum?: OtlpDouble;
  bucketCounts: string[];
  explicitBounds: OtlpDouble[];
  flags: number;
  min?: OtlpDouble;
  max?: OtlpDouble;
}

/**
 * `opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpExponentialBuckets {
  offset: number;
  bucketCounts: string[];
}

/**
 * `opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint` (exemplars dropped).
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpExponentialHistogramDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum?: OtlpDouble;
  scale: number;
  zeroCount: string;
  positive: OtlpExponentialBuckets;
  negative: OtlpExponentialBuckets;
  flags: number;
  min?: OtlpDouble;
  max?: OtlpDouble;
  zeroThreshold: OtlpDouble;
}

/**
 * `opentelemetry.proto.metrics.v1.SummaryDataPoint`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpSummaryDataPoint {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: OtlpDouble;
  quantileValues: { quantile: OtlpDouble; value: OtlpDouble }[];
  flags: number;
}

/**
 * `opentelemetry.proto.metrics.v1.Metric`: exactly one of `gauge`, `sum`,
 * `histogram`, `exponentialHistogram`, `summary` is set (none when the
 * sender set no data, which carries no points).
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  gauge?: { dataPoints: OtlpNumberDataPoint[] };
  sum?: {
    dataPoints: OtlpNumberDataPoint[];
    /** 0 unspecified, 1 delta, 2 cumulative. */
    aggregationTemporality: number;
    isMonotonic: boolean;
  };
  histogram?: {
    dataPoints: OtlpHistogramDataPoint[];
    aggregationTemporality: number;
  };
  exponentialHistogram?: {
    dataPoints: OtlpExponentialHistogramDataPoint[];
    aggregationTemporality: number;
  };
  summary?: { dataPoints: OtlpSummaryDataPoint[] };
}

/**
 * `opentelemetry.proto.metrics.v1.ScopeMetrics`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpScopeMetrics {
  scope: OtlpScope;
  metrics: OtlpMetric[];
  schemaUrl: string;
}

/**
 * `opentelemetry.proto.metrics.v1.ResourceMetrics`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/metrics/v1/metrics.proto
 */
export interface OtlpResourceMetrics {
  resource: OtlpResource;
  scopeMetrics: OtlpScopeMetrics[];
  schemaUrl: string;
}

/** Fields every decoded request carries besides its payload. */
interface RequestBase {
  /**
   * When the ingest decoded the body (ISO 8601): the `@timestamp` of a
   * record that has no time of its own. Not part of document ids.
   */
  receivedAt: string;
}

/**
 * A decoded `ExportLogsServiceRequest`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/collector/logs/v1/logs_service.proto
 */
export interface LogsRequest extends RequestBase {
  signal: 'logs';
  resourceLogs: OtlpResourceLogs[];
}

/**
 * A decoded `ExportTraceServiceRequest`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/collector/trace/v1/trace_service.proto
 */
export interface TracesRequest extends RequestBase {
  signal: 'traces';
  resourceSpans: OtlpResourceSpans[];
}

/**
 * A decoded `ExportMetricsServiceRequest`.
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/collector/metrics/v1/metrics_service.proto
 */
export interface MetricsRequest extends RequestBase {
  signal: 'metrics';
  resourceMetrics: OtlpResourceMetrics[];
}

/**
 * Normalised, JSON-serialisable form of an OTLP export request,
 * discriminated by `signal`. `JSON.parse(JSON.stringify(req))` deep-equals
 * `req`.
 */
export type OtlpRequest = LogsRequest | TracesRequest | MetricsRequest;
