// Protobuf message objects (as protobufjs decodes them) → normalised request.
// Key order of every object literal here must match decode-json.ts: document
// ids hash JSON.stringify of these objects.
import { MAX_ANY_VALUE_DEPTH } from './decode-json';
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
  TracesRequest,
} from './otlp-request';
import type { PbInt64 } from './otlp-values';
import {
  bytesToBase64,
  bytesToHex,
  int64ToString,
  toOtlpDouble,
  uint64ToString,
} from './otlp-values';

/* Shapes of protobufjs-decoded messages. Unset scalars read their proto3
 * default from the prototype; unset oneof and `optional` members read null. */
export interface PbAnyValue {
  arrayValue?: { values: PbAnyValue[] } | null;
  boolValue?: boolean | null;
  bytesValue?: Uint8Array | null;
  doubleValue?: number | null;
  intValue?: PbInt64 | null;
  kvlistValue?: { values: PbKeyValue[] } | null;
  stringValue?: string | null;
}
interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbResource {
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
export interface PbScope extends PbResource {
  name: string;
  version: string;
}
interface PbLogRecord {
  attributes: PbKeyValue[];
  body?: PbAnyValue | null;
  droppedAttributesCount: number;
  eventName: string;
  flags: number;
  observedTimeUnixNano: PbInt64;
  severityNumber: number;
  severityText: string;
  spanId: Uint8Array;
  timeUnixNano: PbInt64;
  traceId: Uint8Array;
}
interface PbSpan {
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  endTimeUnixNano: PbInt64;
  events: {
    attributes: PbKeyValue[];
    droppedAttributesCount: number;
    name: string;
    timeUnixNano: PbInt64;
  }[];
  flags: number;
  kind: number;
  links: {
    attributes: PbKeyValue[];
    droppedAttributesCount: number;
    flags: number;
    spanId: Uint8Array;
    traceId: Uint8Array;
    traceState: string;
  }[];
  name: string;
  parentSpanId: Uint8Array;
  spanId: Uint8Array;
  startTimeUnixNano: PbInt64;
  status?: { code: number; message: string } | null;
  traceId: Uint8Array;
  traceState: string;
}
interface PbPointBase {
  attributes: PbKeyValue[];
  flags: number;
  startTimeUnixNano: PbInt64;
  timeUnixNano: PbInt64;
}
interface PbNumberPoint extends PbPointBase {
  asDouble?: number | null;
  asInt?: PbInt64 | null;
}
interface PbHistogramPoint extends PbPointBase {
  bucketCounts: PbInt64[];
  count: PbInt64;
  explicitBounds: number[];
  max?: number | null;
  min?: number | null;
  sum?: number | null;
}
interface PbBuckets {
  bucketCounts: PbInt64[];
  offset: number;
}
interface PbExpHistogramPoint extends PbPointBase {
  count: PbInt64;
  max?: number | null;
  min?: number | null;
  negative?: PbBuckets | null;
  positive?: PbBuckets | null;
  scale: number;
  sum?: number | null;
  zeroCount: PbInt64;
  zeroThreshold: number;
}
interface PbSummaryPoint extends PbPointBase {
  count: PbInt64;
  quantileValues: { quantile: number; value: number }[];
  sum: number;
}
interface PbMetric {
  description: string;
  exponentialHistogram?: {
    aggregationTemporality: number;
    dataPoints: PbExpHistogramPoint[];
  } | null;
  gauge?: { dataPoints: PbNumberPoint[] } | null;
  histogram?: {
    aggregationTemporality: number;
    dataPoints: PbHistogramPoint[];
  } | null;
  name: string;
  sum?: {
    aggregationTemporality: number;
    dataPoints: PbNumberPoint[];
    isMonotonic: boolean;
  } | null;
  summary?: { dataPoints: PbSummaryPoint[] } | null;
  unit: string;
}
interface PbResourceLevel {
  resource?: PbResource | null;
  schemaUrl: string;
}
interface PbScopeLevel {
  schemaUrl: string;
  scope?: PbScope | null;
}
/** A decoded `ExportLogsServiceRequest`. */
export interface PbLogsRequest {
  resourceLogs: (PbResourceLevel & {
    scopeLogs: (PbScopeLevel & { logRecords: PbLogRecord[] })[];
  })[];
}
/** A decoded `ExportTraceServiceRequest`. */
export interface PbTracesRequest {
  resourceSpans: (PbResourceLevel & {
    scopeSpans: (PbScopeLevel & { spans: PbSpan[] })[];
  })[];
}
/** A decoded `ExportMetricsServiceRequest`. */
export interface PbMetricsRequest {
  resourceMetrics: (PbResourceLevel & {
    scopeMetrics: (PbScopeLevel & { metrics: PbMetric[] })[];
  })[];
}

/** Thrown for an id of the wrong length; the caller adds signal and encoding. */
export class PbFieldError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `${path}: ${reason}`);
  }
}

function id(b: Uint8Array, bytes: number, path: () => string): string {
  if (b.length === bytes) return bytesToHex(b);
  if (b.length === 0) return '';
  throw new PbFieldError(path(), `expected ${bytes} bytes, got ${b.length}`);
}

// Unset oneof members read their proto3 default from the prototype (`''`,
// 0, false), so presence is tested on own properties.
const has = Object.hasOwn;

export function anyValue(v: PbAnyValue, depth = 0): OtlpAnyValue {
  if (has(v, 'stringValue')) return { stringValue: v.stringValue! };
  if (has(v, 'intValue')) return { intValue: int64ToString(v.intValue!) };
  if (has(v, 'doubleValue'))
    return { doubleValue: toOtlpDouble(v.doubleValue!) };
  if (has(v, 'boolValue')) return { boolValue: v.boolValue! };
  if (v.arrayValue != null || v.kvlistValue != null) {
    if (depth >= MAX_ANY_VALUE_DEPTH) {
      throw new PbFieldError(
        '',
        `values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`,
      );
    }
    if (v.arrayValue != null) {
      return {
        arrayValue: {
          values: v.arrayValue.values.map((x) => anyValue(x, depth + 1)),
        },
      };
    }
    return {
      kvlistValue: { values: attributes(v.kvlistValue!.values, depth + 1) },
    };
  }
  if (has(v, 'bytesValue')) return { bytesValue: bytesToBase64(v.bytesValue!) };
  return {};
}

function attributes(kvs: PbKeyValue[], depth = 0): OtlpKeyValue[] {
  const out = new Array<OtlpKeyValue>(kvs.length);
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    out[i] = { key: kv.key, value: kv.value ? anyValue(kv.value, depth) : {} };
  }
  return out;
}

export function resource(r: PbResource | null | undefined): OtlpResource {
  if (!r) return { attributes: [], droppedAttributesCount: 0 };
  return {
    attributes: attributes(r.attributes),
    droppedAttributesCount: r.droppedAttributesCount,
  };
}

export function scope(s: PbScope | null | undefined): OtlpScope {
  if (!s)
    return { attributes: [], droppedAttributesCount: 0, name: '', version: '' };
  return {
    attributes: attributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount,
    name: s.name,
    version: s.version,
  };
}

function double(n: number): OtlpDouble {
  return toOtlpDouble(n);
}

/** Decoded `ExportLogsServiceRequest` → normalised logs request. */
export function logsFromProtobuf(
  m: PbLogsRequest,
  receivedAt: string,
): LogsRequest {
  return {
    signal: 'logs',
    receivedAt,
    resourceLogs: m.resourceLogs.map((rl, i) => ({
      resource: resource(rl.resource),
      scopeLogs: rl.scopeLogs.map((sl, j) => ({
        scope: scope(sl.scope),
        logRecords: sl.logRecords.map((lr, k) => {
          const path = (f: string) =>
            `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}].${f}`;
          const record: OtlpLogRecord = {
            timeUnixNano: uint64ToString(lr.timeUnixNano),
            observedTimeUnixNano: uint64ToString(lr.observedTimeUnixNano),
            severityNumber: lr.severityNumber,
            severityText: lr.severityText,
            attributes: attributes(lr.attributes),
            droppedAttributesCount: lr.droppedAttributesCount,
            flags: lr.flags,
            traceId: id(lr.traceId, 16, () => path('traceId')),
            spanId: id(lr.spanId, 8, () => path('spanId')),
            eventName: lr.eventName,
          };
          if (lr.body) record.body = anyValue(lr.body);
          return record;
        }),
        schemaUrl: sl.schemaUrl,
      })),
      schemaUrl: rl.schemaUrl,
    })),
  };
}

/** Decoded `ExportTraceServiceRequest` → normalised traces request. */
export function tracesFromProtobuf(
  m: PbTracesRequest,
  receivedAt: string,
): TracesRequest {
  return {
    signal: 'traces',
    receivedAt,
    resourceSpans: m.resourceSpans.map((rs, i) => ({
      resource: resource(rs.resource),
      scopeSpans: rs.scopeSpans.map((ss, j) => ({
        scope: scope(ss.scope),
        spans: ss.spans.map((s, k): OtlpSpan => {
          const path = (f: string) =>
            `resourceSpans[${i}].scopeSpans[${j}].spans[${k}].${f}`;
          return {
            traceId: id(s.traceId, 16, () => path('traceId')),
            spanId: id(s.spanId, 8, () => path('spanId')),
            traceState: s.traceState,
            parentSpanId: id(s.parentSpanId, 8, () => path('parentSpanId')),
            flags: s.flags,
            name: s.name,
            kind: s.kind,
            startTimeUnixNano: uint64ToString(s.startTimeUnixNano),
            endTimeUnixNano: uint64ToString(s.endTimeUnixNano),
            attributes: attributes(s.attributes),
            droppedAttributesCount: s.droppedAttributesCount,
            events: s.events.map((e) => ({
              timeUnixNano: uint64ToString(e.timeUnixNano),
              name: e.name,
              attributes: attributes(e.attributes),
              droppedAttributesCount: e.droppedAttributesCount,
            })),
            droppedEventsCount: s.droppedEventsCount,
            links: s.links.map((l, n) => ({
              traceId: id(l.traceId, 16, () => path(`links[${n}].traceId`)),
              spanId: id(l.spanId, 8, () => path(`links[${n}].spanId`)),
              traceState: l.traceState,
              attributes: attributes(l.attributes),
              droppedAttributesCount: l.droppedAttributesCount,
              flags: l.flags,
            })),
            droppedLinksCount: s.droppedLinksCount,
            status: s.status
              ? { message: s.status.message, code: s.status.code }
              : { message: '', code: 0 },
          };
        }),
        schemaUrl: ss.schemaUrl,
      })),
      schemaUrl: rs.schemaUrl,
    })),
  };
}

function numberPoint(p: PbNumberPoint): OtlpNumberDataPoint {
  const point: OtlpNumberDataPoint = {
    attributes: attributes(p.attributes),
    startTimeUnixNano: uint64ToString(p.startTimeUnixNano),
    timeUnixNano: uint64ToString(p.timeUnixNano),
    flags: p.flags,
  };
  if (has(p, 'asDouble')) point.asDouble = toOtlpDouble(p.asDouble!);
  else if (has(p, 'asInt')) point.asInt = int64ToString(p.asInt!);
  return point;
}

function buckets(b: PbBuckets | null | undefined): OtlpExponentialBuckets {
  if (!b) return { offset: 0, bucketCounts: [] };
  return { offset: b.offset, bucketCounts: b.bucketCounts.map(uint64ToString) };
}

/** Copies the proto3 `optional` doubles that are set, in a fixed order. */
function sumMinMax(
  target: { max?: OtlpDouble; min?: OtlpDouble; sum?: OtlpDouble },
  p: { max?: number | null; min?: number | null; sum?: number | null },
): void {
  if (has(p, 'sum')) target.sum = toOtlpDouble(p.sum!);
  if (has(p, 'min')) target.min = toOtlpDouble(p.min!);
  if (has(p, 'max')) target.max = toOtlpDouble(p.max!);
}

function metric(m: PbMetric): OtlpMetric {
  const out: OtlpMetric = {
    name: m.name,
    description: m.description,
    unit: m.unit,
  };
  if (m.gauge) {
    out.gauge = { dataPoints: m.gauge.dataPoints.map(numberPoint) };
  } else if (m.sum) {
    out.sum = {
      dataPoints: m.sum.dataPoints.map(numberPoint),
      aggregationTemporality: m.sum.aggregationTemporality,
      isMonotonic: m.sum.isMonotonic,
    };
  } else if (m.histogram) {
    out.histogram = {
      dataPoints: m.histogram.dataPoints.map((p) => {
        const point: OtlpHistogramDataPoint = {
          attributes: attributes(p.attributes),
          startTimeUnixNano: uint64ToString(p.startTimeUnixNano),
          timeUnixNano: uint64ToString(p.timeUnixNano),
          count: uint64ToString(p.count),
          bucketCounts: p.bucketCounts.map(uint64ToString),
          explicitBounds: p.explicitBounds.map(double),
          flags: p.flags,
        };
        sumMinMax(point, p);
        return point;
      }),
      aggregationTemporality: m.histogram.aggregationTemporality,
    };
  } else if (m.exponentialHistogram) {
    out.exponentialHistogram = {
      dataPoints: m.exponentialHistogram.dataPoints.map((p) => {
        const point: OtlpExponentialHistogramDataPoint = {
          attributes: attributes(p.attributes),
          startTimeUnixNano: uint64ToString(p.startTimeUnixNano),
          timeUnixNano: uint64ToString(p.timeUnixNano),
          count: uint64ToString(p.count),
          scale: p.scale,
          zeroCount: uint64ToString(p.zeroCount),
          positive: buckets(p.positive),
          negative: buckets(p.negative),
          flags: p.flags,
          zeroThreshold: double(p.zeroThreshold),
        };
        sumMinMax(point, p);
        return point;
      }),
      aggregationTemporality: m.exponentialHistogram.aggregationTemporality,
    };
  } else if (m.summary) {
    out.summary = {
      dataPoints: m.summary.dataPoints.map((p) => ({
        attributes: attributes(p.attributes),
        startTimeUnixNano: uint64ToString(p.startTimeUnixNano),
        timeUnixNano: uint64ToString(p.timeUnixNano),
        count: uint64ToString(p.count),
        sum: double(p.sum),
        quantileValues: p.quantileValues.map((q) => ({
          quantile: double(q.quantile),
          value: double(q.value),
        })),
        flags: p.flags,
      })),
    };
  }
  return out;
}

/** Decoded `ExportMetricsServiceRequest` → normalised metrics request. */
export function metricsFromProtobuf(
  m: PbMetricsRequest,
  receivedAt: string,
): MetricsRequest {
  return {
    signal: 'metrics',
    receivedAt,
    resourceMetrics: m.resourceMetrics.map((rm) => ({
      resource: resource(rm.resource),
      scopeMetrics: rm.scopeMetrics.map((sm) => ({
        scope: scope(sm.scope),
        metrics: sm.metrics.map(metric),
        schemaUrl: sm.schemaUrl,
      })),
      schemaUrl: rm.schemaUrl,
    })),
  };
}
