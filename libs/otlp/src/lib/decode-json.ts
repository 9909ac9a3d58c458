// OTLP/JSON (already JSON.parse'd) → normalised request, validating as it
// goes. Key order of every object literal here must match decode-protobuf.ts:
// document ids hash JSON.stringify of these objects.
//
// Paths in errors are built only when something fails: each level catches a
// JsonFieldError and prefixes its own segment.
import type {
  LogsRequest,
  MetricsRequest,
  OtlpAnyValue,
  OtlpDouble,
  OtlpExponentialBuckets,
  OtlpExponentialHistogramDataPoint,
  OtlpHistogramDataPoint,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpMetric,
  OtlpNumberDataPoint,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanLink,
  OtlpSummaryDataPoint,
  TracesRequest,
} from './otlp-request';
import { enumValues } from './proto/otlp-proto';

type Obj = Record<string, unknown>;

/** A field of an OTLP/JSON body has the wrong type or format. */
export class JsonFieldError extends Error {
  constructor(
    public path: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function nest(e: unknown, prefix: string): unknown {
  if (e instanceof JsonFieldError) {
    e.path = e.path === '' ? prefix : `${prefix}.${e.path}`;
  }
  return e;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown): Obj {
  if (!isObj(v)) throw new JsonFieldError('', 'expected an object');
  return v;
}

function list<T>(v: unknown, field: string, fn: (x: unknown) => T): T[] {
  if (v == null) return [];
  if (!Array.isArray(v)) throw new JsonFieldError(field, 'expected an array');
  const out = new Array<T>(v.length);
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = fn(v[i]);
    } catch (e) {
      throw nest(e, `${field}[${i}]`);
    }
  }
  return out;
}

function child<T>(v: unknown, field: string, fn: (o: Obj) => T): T {
  try {
    return fn(obj(v));
  } catch (e) {
    throw nest(e, field);
  }
}

function str(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v == null) return '';
  throw new JsonFieldError(field, 'expected a string');
}

function bool(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v == null) return false;
  throw new JsonFieldError(field, 'expected a boolean');
}

const UINT32_MAX = 0xffffffff;

function uint32(v: unknown, field: string): number {
  if (v == null) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (
    typeof n === 'number' &&
    Number.isInteger(n) &&
    n >= 0 &&
    n <= UINT32_MAX
  ) {
    return n;
  }
  throw new JsonFieldError(field, 'expected an unsigned 32-bit integer');
}

function int32(v: unknown, field: string): number {
  if (v == null) return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (
    typeof n === 'number' &&
    Number.isInteger(n) &&
    Math.abs(n) <= 0x7fffffff
  ) {
    return n;
  }
  throw new JsonFieldError(field, 'expected a 32-bit integer');
}

function enumeration(
  v: unknown,
  field: string,
  names: Readonly<Record<string, number>>,
): number {
  if (typeof v === 'string' && v in names) return names[v];
  return int32(v, field);
}

const SEVERITY = enumValues('opentelemetry.proto.logs.v1.SeverityNumber');
const SPAN_KIND = enumValues('opentelemetry.proto.trace.v1.Span.SpanKind');
const STATUS_CODE = enumValues(
  'opentelemetry.proto.trace.v1.Status.StatusCode',
);
const TEMPORALITY = enumValues(
  'opentelemetry.proto.metrics.v1.AggregationTemporality',
);

const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

function uint64(v: unknown, field: string): string {
  if (v == null) return '0';
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    if (v.length < 16 && (v.length === 1 || v.charCodeAt(0) !== 48)) return v;
    const b = BigInt(v);
    if (b <= UINT64_MAX) return b.toString();
  } else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
    if (Number.isSafeInteger(v)) return String(v);
    const b = BigInt(v);
    if (b <= UINT64_MAX) return b.toString();
  }
  throw new JsonFieldError(field, 'expected an unsigned 64-bit integer');
}

function int64(v: unknown, field: string): string {
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
    const b = BigInt(v);
    if (b >= INT64_MIN && b <= INT64_MAX) return b.toString();
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    if (Number.isSafeInteger(v)) return String(v);
    const b = BigInt(v);
    if (b >= INT64_MIN && b <= INT64_MAX) return b.toString();
  }
  throw new JsonFieldError(field, 'expected a 64-bit integer');
}

function double(v: unknown, field: string): OtlpDouble {
  if (typeof v === 'number') return v;
  if (v == null) return 0;
  if (typeof v === 'string') {
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
    const n = v.trim() === '' ? NaN : Number(v);
    if (Number.isFinite(n)) return n;
  }
  throw new JsonFieldError(field, 'expected a number');
}

const HEX = /^[0-9a-fA-F]*$/;

const BASE64_ID = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * A trace or span id: hex as the OTLP/JSON spec says, or, leniently, the
 * base64 of protobuf's generic JSON mapping that some gateways send (its
 * length, 24 or 12 chars, cannot be mistaken for hex).
 */
function hexId(v: unknown, field: string, bytes: number): string {
  if (v == null || v === '') return '';
  if (typeof v === 'string') {
    if (v.length === bytes * 2 && HEX.test(v)) return v.toLowerCase();
    if (v.length === Math.ceil(bytes / 3) * 4 && BASE64_ID.test(v)) {
      const raw = Buffer.from(v, 'base64');
      if (raw.length === bytes) return raw.toString('hex');
    }
  }
  throw new JsonFieldError(field, `expected ${bytes * 2} hex chars`);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function base64(v: unknown, field: string): string {
  if (typeof v === 'string' && BASE64.test(v)) {
    return Buffer.from(v, 'base64').toString('base64');
  }
  throw new JsonFieldError(field, 'expected a base64 string');
}

/**
 * Deepest AnyValue nesting accepted: deeper values would overflow the stack
 * of a later JSON.stringify and make the stored request a poison message.
 */
export const MAX_ANY_VALUE_DEPTH = 32;
let depth = 0;

function nested<T>(fn: () => T): T {
  if (depth >= MAX_ANY_VALUE_DEPTH) {
    throw new JsonFieldError(
      '',
      `values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
    );
  }
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

function anyValue(v: unknown): OtlpAnyValue {
  if (v == null) return {};
  const o = obj(v);
  if (o.stringValue != null)
    return { stringValue: str(o.stringValue, 'stringValue') };
  if (o.intValue != null) return { intValue: int64(o.intValue, 'intValue') };
  if (o.doubleValue != null)
    return { doubleValue: double(o.doubleValue, 'doubleValue') };
  if (o.boolValue != null) return { boolValue: bool(o.boolValue, 'boolValue') };
  if (o.arrayValue != null) {
    return nested(() => ({
      arrayValue: child(o.arrayValue, 'arrayValue', (a) => ({
        values: list(a.values, 'values', anyValue),
      })),
    }));
  }
  if (o.kvlistValue != null) {
    return nested(() => ({
      kvlistValue: child(o.kvlistValue, 'kvlistValue', (a) => ({
        values: list(a.values, 'values', keyValue),
      })),
    }));
  }
  if (o.bytesValue != null)
    return { bytesValue: base64(o.bytesValue, 'bytesValue') };
  return {};
}

function keyValue(v: unknown): OtlpKeyValue {
  const o = obj(v);
  const key = str(o.key, 'key');
  try {
    return { key, value: anyValue(o.value) };
  } catch (e) {
    throw nest(e, 'value');
  }
}

function attributes(v: unknown, field = 'attributes'): OtlpKeyValue[] {
  return list(v, field, keyValue);
}

function resource(v: unknown): OtlpResource {
  if (v == null) return { attributes: [], droppedAttributesCount: 0 };
  return child(v, 'resource', (o) => ({
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
  }));
}

function scope(v: unknown): OtlpScope {
  if (v == null)
    return { attributes: [], droppedAttributesCount: 0, name: '', version: '' };
  return child(v, 'scope', (o) => ({
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
    name: str(o.name, 'name'),
    version: str(o.version, 'version'),
  }));
}

function logRecord(v: unknown): OtlpLogRecord {
  const o = obj(v);
  const record: OtlpLogRecord = {
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    observedTimeUnixNano: uint64(
      o.observedTimeUnixNano,
      'observedTimeUnixNano',
    ),
    severityNumber: enumeration(o.severityNumber, 'severityNumber', SEVERITY),
    severityText: str(o.severityText, 'severityText'),
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
    flags: uint32(o.flags, 'flags'),
    traceId: hexId(o.traceId, 'traceId', 16),
    spanId: hexId(o.spanId, 'spanId', 8),
    eventName: str(o.eventName, 'eventName'),
  };
  if (o.body != null) {
    try {
      record.body = anyValue(o.body);
    } catch (e) {
      throw nest(e, 'body');
    }
  }
  return record;
}

function spanEvent(v: unknown): OtlpSpanEvent {
  const o = obj(v);
  return {
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    name: str(o.name, 'name'),
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
  };
}

function spanLink(v: unknown): OtlpSpanLink {
  const o = obj(v);
  return {
    traceId: hexId(o.traceId, 'traceId', 16),
    spanId: hexId(o.spanId, 'spanId', 8),
    traceState: str(o.traceState, 'traceState'),
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
    flags: uint32(o.flags, 'flags'),
  };
}

function span(v: unknown): OtlpSpan {
  const o = obj(v);
  return {
    traceId: hexId(o.traceId, 'traceId', 16),
    spanId: hexId(o.spanId, 'spanId', 8),
    traceState: str(o.traceState, 'traceState'),
    parentSpanId: hexId(o.parentSpanId, 'parentSpanId', 8),
    flags: uint32(o.flags, 'flags'),
    name: str(o.name, 'name'),
    kind: enumeration(o.kind, 'kind', SPAN_KIND),
    startTimeUnixNano: uint64(o.startTimeUnixNano, 'startTimeUnixNano'),
    endTimeUnixNano: uint64(o.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributes(o.attributes),
    droppedAttributesCount: uint32(
      o.droppedAttributesCount,
      'droppedAttributesCount',
    ),
    events: list(o.events, 'events', spanEvent),
    droppedEventsCount: uint32(o.droppedEventsCount, 'droppedEventsCount'),
    links: list(o.links, 'links', spanLink),
    droppedLinksCount: uint32(o.droppedLinksCount, 'droppedLinksCount'),
    status:
      o.status == null
        ? { message: '', code: 0 }
        : child(o.status, 'status', (s) => ({
            message: str(s.message, 'message'),
            code: enumeration(s.code, 'code', STATUS_CODE),
          })),
  };
}

function numberPoint(v: unknown): OtlpNumberDataPoint {
  const o = obj(v);
  const point: OtlpNumberDataPoint = {
    attributes: attributes(o.attributes),
    startTimeUnixNano: uint64(o.startTimeUnixNano, 'startTimeUnixNano'),
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    flags: uint32(o.flags, 'flags'),
  };
  if (o.asDouble != null) point.asDouble = double(o.asDouble, 'asDouble');
  else if (o.asInt != null) point.asInt = int64(o.asInt, 'asInt');
  return point;
}

function sumMinMax(
  target: { max?: OtlpDouble; min?: OtlpDouble; sum?: OtlpDouble },
  o: Obj,
): void {
  if (o.sum != null) target.sum = double(o.sum, 'sum');
  if (o.min != null) target.min = double(o.min, 'min');
  if (o.max != null) target.max = double(o.max, 'max');
}

function histogramPoint(v: unknown): OtlpHistogramDataPoint {
  const o = obj(v);
  const point: OtlpHistogramDataPoint = {
    attributes: attributes(o.attributes),
    startTimeUnixNano: uint64(o.startTimeUnixNano, 'startTimeUnixNano'),
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    count: uint64(o.count, 'count'),
    bucketCounts: list(o.bucketCounts, 'bucketCounts', (c) => uint64(c, '')),
    explicitBounds: list(o.explicitBounds, 'explicitBounds', (b) =>
      double(b, ''),
    ),
    flags: uint32(o.flags, 'flags'),
  };
  sumMinMax(point, o);
  return point;
}

function expBuckets(v: unknown, field: string): OtlpExponentialBuckets {
  if (v == null) return { offset: 0, bucketCounts: [] };
  return child(v, field, (o) => ({
    offset: int32(o.offset, 'offset'),
    bucketCounts: list(o.bucketCounts, 'bucketCounts', (c) => uint64(c, '')),
  }));
}

function expHistogramPoint(v: unknown): OtlpExponentialHistogramDataPoint {
  const o = obj(v);
  const point: OtlpExponentialHistogramDataPoint = {
    attributes: attributes(o.attributes),
    startTimeUnixNano: uint64(o.startTimeUnixNano, 'startTimeUnixNano'),
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    count: uint64(o.count, 'count'),
    scale: int32(o.scale, 'scale'),
    zeroCount: uint64(o.zeroCount, 'zeroCount'),
    positive: expBuckets(o.positive, 'positive'),
    negative: expBuckets(o.negative, 'negative'),
    flags: uint32(o.flags, 'flags'),
    zeroThreshold: double(o.zeroThreshold, 'zeroThreshold'),
  };
  sumMinMax(point, o);
  return point;
}

function summaryPoint(v: unknown): OtlpSummaryDataPoint {
  const o = obj(v);
  return {
    attributes: attributes(o.attributes),
    startTimeUnixNano: uint64(o.startTimeUnixNano, 'startTimeUnixNano'),
    timeUnixNano: uint64(o.timeUnixNano, 'timeUnixNano'),
    count: uint64(o.count, 'count'),
    sum: double(o.sum, 'sum'),
    quantileValues: list(o.quantileValues, 'quantileValues', (q) => {
      const qo = obj(q);
      return {
        quantile: double(qo.quantile, 'quantile'),
        value: double(qo.value, 'value'),
      };
    }),
    flags: uint32(o.flags, 'flags'),
  };
}

function metric(v: unknown): OtlpMetric {
  const o = obj(v);
  const out: OtlpMetric = {
    name: str(o.name, 'name'),
    description: str(o.description, 'description'),
    unit: str(o.unit, 'unit'),
  };
  if (o.gauge != null) {
    out.gauge = child(o.gauge, 'gauge', (g) => ({
      dataPoints: list(g.dataPoints, 'dataPoints', numberPoint),
    }));
  } else if (o.sum != null) {
    out.sum = child(o.sum, 'sum', (s) => ({
      dataPoints: list(s.dataPoints, 'dataPoints', numberPoint),
      aggregationTemporality: enumeration(
        s.aggregationTemporality,
        'aggregationTemporality',
        TEMPORALITY,
      ),
      isMonotonic: bool(s.isMonotonic, 'isMonotonic'),
    }));
  } else if (o.histogram != null) {
    out.histogram = child(o.histogram, 'histogram', (h) => ({
      dataPoints: list(h.dataPoints, 'dataPoints', histogramPoint),
      aggregationTemporality: enumeration(
        h.aggregationTemporality,
        'aggregationTemporality',
        TEMPORALITY,
      ),
    }));
  } else if (o.exponentialHistogram != null) {
    out.exponentialHistogram = child(
      o.exponentialHistogram,
      'exponentialHistogram',
      (h) => ({
        dataPoints: list(h.dataPoints, 'dataPoints', expHistogramPoint),
        aggregationTemporality: enumeration(
          h.aggregationTemporality,
          'aggregationTemporality',
          TEMPORALITY,
        ),
      }),
    );
  } else if (o.summary != null) {
    out.summary = child(o.summary, 'summary', (s) => ({
      dataPoints: list(s.dataPoints, 'dataPoints', summaryPoint),
    }));
  }
  return out;
}

/** Parsed OTLP/JSON `ExportLogsServiceRequest` → normalised logs request. */
export function logsFromJson(body: Obj, receivedAt: string): LogsRequest {
  return {
    signal: 'logs',
    receivedAt,
    resourceLogs: list(body.resourceLogs, 'resourceLogs', (v) => {
      const rl = obj(v);
      return {
        resource: resource(rl.resource),
        scopeLogs: list(rl.scopeLogs, 'scopeLogs', (w) => {
          const sl = obj(w);
          return {
            scope: scope(sl.scope),
            logRecords: list(sl.logRecords, 'logRecords', logRecord),
            schemaUrl: str(sl.schemaUrl, 'schemaUrl'),
          };
        }),
        schemaUrl: str(rl.schemaUrl, 'schemaUrl'),
      };
    }),
  };
}

/** Parsed OTLP/JSON `ExportTraceServiceRequest` → normalised traces request. */
export function tracesFromJson(body: Obj, receivedAt: string): TracesRequest {
  return {
    signal: 'traces',
    receivedAt,
    resourceSpans: list(body.resourceSpans, 'resourceSpans', (v) => {
      const rs = obj(v);
      return {
        resource: resource(rs.resource),
        scopeSpans: list(rs.scopeSpans, 'scopeSpans', (w) => {
          const ss = obj(w);
          return {
            scope: scope(ss.scope),
            spans: list(ss.spans, 'spans', span),
            schemaUrl: str(ss.schemaUrl, 'schemaUrl'),
          };
        }),
        schemaUrl: str(rs.schemaUrl, 'schemaUrl'),
      };
    }),
  };
}

/** Parsed OTLP/JSON `ExportMetricsServiceRequest` → normalised metrics request. */
export function metricsFromJson(body: Obj, receivedAt: string): MetricsRequest {
  return {
    signal: 'metrics',
    receivedAt,
    resourceMetrics: list(body.resourceMetrics, 'resourceMetrics', (v) => {
      const rm = obj(v);
      return {
        resource: resource(rm.resource),
        scopeMetrics: list(rm.scopeMetrics, 'scopeMetrics', (w) => {
          const sm = obj(w);
          return {
            scope: scope(sm.scope),
            metrics: list(sm.metrics, 'metrics', metric),
            schemaUrl: str(sm.schemaUrl, 'schemaUrl'),
          };
        }),
        schemaUrl: str(rm.schemaUrl, 'schemaUrl'),
      };
    }),
  };
}

export { isObj };
