import type { DataStream } from './data-stream';
import { sanitizeDataset, sanitizeNamespace } from './data-stream';
import { type BulkLines, DocumentSink, type ToEcsOptions } from './ecs-sink';
import {
  attributeString,
  flatAttributes,
  plainObject,
  stringValue,
} from './ecs-values';
import type {
  LogsRequest,
  MetricsRequest,
  OtlpExponentialBuckets,
  OtlpKeyValue,
  OtlpLogRecord,
  OtlpMetric,
  OtlpRequest,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  TracesRequest,
} from './otlp-request';
import { doubleToJs, isEmptyId, nanosBetween, nanosToIso } from './otlp-values';

/**
 * One Elasticsearch document to write with `op_type: create`.
 *
 * @see https://www.elastic.co/docs/reference/elasticsearch/rest-apis/bulk
 */
export interface EcsWrite {
  /**
   * Deterministic content id: the record's own time (ms) then XXH3-128 of
   * the document's serialised content (everything but the receipt-time
   * fields), base64url, 30 chars. A retried
   * write of the same record gets the same `_id`, so it conflicts (409)
   * instead of duplicating.
   */
  id: string;
  /** Data stream name, `<type>-<dataset>-<namespace>`. */
  index: string;
  /**
   * The ECS document (shape in `libs/otlp/README.md`). Nested objects built
   * from the resource are shared between documents of one resource and
   * frozen: treat documents as read-only.
   */
  doc: Record<string, unknown>;
}

/** ECS fields derived once per resource. */
export interface ResourceContext {
  agent?: Readonly<{ name: string; version?: string }>;
  dataset?: string;
  host?: Readonly<{ name: string }>;
  namespace?: string;
  /** `otel.resource`: absent when every resource attribute went to an ECS field. */
  otelResource?: Readonly<{ attributes: Readonly<Record<string, unknown>> }>;
  service: Readonly<Record<string, unknown>>;
  serviceName: string;
}

export const DATASET_KEY = 'data_stream.dataset';
export const NAMESPACE_KEY = 'data_stream.namespace';
const UNKNOWN_SERVICE = 'unknown_service';

/**
 * Resource attributes an ECS field carries verbatim, by key. When such an
 * attribute is a non-empty string and its field took it, it is left out of
 * `otel.resource.attributes`, so that it is stored and indexed once (as
 * Elastic's own OTel → ECS mapping does); any other value (a number, a
 * second environment key that lost) stays there.
 */
const ECS_RESOURCE_FIELDS: ReadonlyMap<
  string,
  (ctx: ResourceContext) => unknown
> = new Map<string, (ctx: ResourceContext) => unknown>([
  ['deployment.environment', (c) => c.service['environment']],
  ['deployment.environment.name', (c) => c.service['environment']],
  ['host.name', (c) => c.host?.name],
  [
    'service.instance.id',
    (c) => (c.service['instance'] as { id?: string } | undefined)?.id,
  ],
  ['service.name', (c) => c.service['name']],
  ['service.namespace', (c) => c.service['namespace']],
  ['service.version', (c) => c.service['version']],
  ['telemetry.sdk.version', (c) => c.agent?.version],
]);

export function resourceContext(r: OtlpResource): ResourceContext {
  const a = r.attributes;
  const serviceName = attributeString(a, 'service.name') ?? UNKNOWN_SERVICE;
  const service: Record<string, unknown> = { name: serviceName };
  const version = attributeString(a, 'service.version');
  if (version) service.version = version;
  const ns = attributeString(a, 'service.namespace');
  if (ns) service.namespace = ns;
  const instance = attributeString(a, 'service.instance.id');
  if (instance) service.instance = Object.freeze({ id: instance });
  const env =
    attributeString(a, 'deployment.environment.name') ??
    attributeString(a, 'deployment.environment');
  if (env) service.environment = env;
  const ctx: ResourceContext = {
    dataset: attributeString(a, DATASET_KEY),
    namespace: attributeString(a, NAMESPACE_KEY),
    service: Object.freeze(service),
    serviceName,
  };
  const host = attributeString(a, 'host.name');
  if (host) ctx.host = Object.freeze({ name: host });
  const sdk = attributeString(a, 'telemetry.sdk.name');
  if (sdk) {
    const sdkVersion = attributeString(a, 'telemetry.sdk.version');
    const lang = attributeString(a, 'telemetry.sdk.language');
    const name = lang ? `${sdk}/${lang}` : sdk;
    ctx.agent = Object.freeze(
      sdkVersion ? { name, version: sdkVersion } : { name },
    );
  }
  const attributes = flatAttributes(a);
  let left = 0;
  for (const key of Object.keys(attributes)) {
    const field = ECS_RESOURCE_FIELDS.get(key);
    const value = attributes[key];
    if (field && typeof value === 'string' && value === field(ctx))
      delete attributes[key];
    else left++;
  }
  if (left > 0)
    ctx.otelResource = Object.freeze({
      attributes: Object.freeze(attributes),
    });
  return ctx;
}

function dataStream(
  type: DataStream['type'],
  ctx: ResourceContext,
  scope: OtlpScope,
  attrs: OtlpKeyValue[],
  defaultNamespace: string | undefined,
): DataStream {
  return {
    type,
    dataset: sanitizeDataset(
      attributeString(attrs, DATASET_KEY) ??
        attributeString(scope.attributes, DATASET_KEY) ??
        ctx.dataset,
    ),
    namespace: sanitizeNamespace(
      attributeString(attrs, NAMESPACE_KEY) ??
        attributeString(scope.attributes, NAMESPACE_KEY) ??
        ctx.namespace ??
        defaultNamespace,
    ),
  };
}

export function scopeFields(
  scope: OtlpScope,
): Record<string, string> | undefined {
  if (!scope.name && !scope.version) return undefined;
  const out: Record<string, string> = {};
  if (scope.name) out.name = scope.name;
  if (scope.version) out.version = scope.version;
  return out;
}

/**
 * Fields every document carries. `@timestamp` is set by the sink (the
 * record's own time inside the accepted window, else the receipt time).
 */
function commonDoc(
  ds: DataStream,
  ctx: ResourceContext,
  event: Record<string, unknown> = { dataset: ds.dataset },
): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    '@timestamp': undefined,
    data_stream: ds,
    event,
    service: ctx.service,
  };
  if (ctx.host) doc.host = ctx.host;
  if (ctx.agent) doc.agent = ctx.agent;
  return doc;
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * ECS `log.level`: the lower-cased severity text, else derived from the
 * severity number (1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20
 * error, 21-24 fatal), else `undefined`.
 *
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber
 */
export function logLevel(
  severityText: string,
  severityNumber: number,
): string | undefined {
  if (severityText) return severityText.toLowerCase();
  if (severityNumber >= 1 && severityNumber <= 24) {
    return LEVELS[Math.floor((severityNumber - 1) / 4)];
  }
  return undefined;
}

function logDoc(
  lr: OtlpLogRecord,
  ctx: ResourceContext,
  scope: OtlpScope,
  scopeOtel: Record<string, string> | undefined,
  namespace: string | undefined,
): { doc: Record<string, unknown>; ds: DataStream } {
  const ds = dataStream('logs', ctx, scope, lr.attributes, namespace);
  const event: Record<string, unknown> = { dataset: ds.dataset };
  if (lr.severityNumber > 0) event.severity = lr.severityNumber;
  const doc = commonDoc(ds, ctx, event);
  if (lr.body) doc.message = stringValue(lr.body);
  const log: Record<string, string> = {};
  const level = logLevel(lr.severityText, lr.severityNumber);
  if (level) log.level = level;
  if (scope.name) log.logger = scope.name;
  doc.log = log;
  if (!isEmptyId(lr.traceId)) doc.trace = { id: lr.traceId };
  if (!isEmptyId(lr.spanId)) doc.span = { id: lr.spanId };
  const errorType = attributeString(lr.attributes, 'exception.type');
  const errorMessage = attributeString(lr.attributes, 'exception.message');
  const stack = attributeString(lr.attributes, 'exception.stacktrace');
  if (errorType || errorMessage || stack) {
    const error: Record<string, string> = {};
    if (errorType) error.type = errorType;
    if (errorMessage) error.message = errorMessage;
    if (stack) error.stack_trace = stack;
    doc.error = error;
  }
  const otel: Record<string, unknown> = {
    attributes: flatAttributes(lr.attributes),
  };
  if (ctx.otelResource) otel.resource = ctx.otelResource;
  if (scopeOtel) otel.scope = scopeOtel;
  if (lr.body?.kvlistValue) otel.body = plainObject(lr.body.kvlistValue.values);
  if (lr.eventName) otel.event_name = lr.eventName;
  doc.otel = otel;
  return { doc, ds };
}

/** What every item of one scope shares, computed once per scope. */
interface ScopeContext {
  ctx: ResourceContext;
  scope: OtlpScope;
  scopeOtel: Record<string, string> | undefined;
}

/**
 * Walks resource → scope → items of any signal, computing the resource and
 * scope context once, and collects what `build` makes of each item.
 */
function mapScoped<
  R extends { resource: OtlpResource },
  S extends { scope: OtlpScope },
  I,
>(
  resources: R[],
  scopesOf: (r: R) => S[],
  itemsOf: (s: S) => I[],
  build: (item: I, at: ScopeContext) => void,
): void {
  for (const r of resources) {
    const ctx = resourceContext(r.resource);
    for (const sc of scopesOf(r)) {
      const at: ScopeContext = {
        ctx,
        scope: sc.scope,
        scopeOtel: scopeFields(sc.scope),
      };
      for (const item of itemsOf(sc)) build(item, at);
    }
  }
}

function logsToEcs(
  req: LogsRequest,
  namespace: string | undefined,
  sink: DocumentSink,
): void {
  mapScoped(
    req.resourceLogs,
    (rl) => rl.scopeLogs,
    (sl) => sl.logRecords,
    (lr, at) => {
      const { doc, ds } = logDoc(lr, at.ctx, at.scope, at.scopeOtel, namespace);
      sink.emit(
        ds,
        doc,
        lr.timeUnixNano !== '0' ? lr.timeUnixNano : lr.observedTimeUnixNano,
        at.ctx.serviceName,
      );
    },
  );
}

const SPAN_KINDS = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

/**
 * ECS `event.outcome` of a span status code.
 * @see https://www.elastic.co/docs/reference/ecs/ecs-allowed-values-event-outcome
 */
function outcome(code: number): string {
  if (code === 2) return 'failure';
  if (code === 1) return 'success';
  return 'unknown';
}

function spanDoc(
  s: OtlpSpan,
  ctx: ResourceContext,
  scope: OtlpScope,
  scopeOtel: Record<string, string> | undefined,
  namespace: string | undefined,
): { doc: Record<string, unknown>; ds: DataStream } {
  const ds = dataStream('traces', ctx, scope, s.attributes, namespace);
  const event: Record<string, unknown> = {
    dataset: ds.dataset,
    outcome: outcome(s.status.code),
  };
  if (s.endTimeUnixNano !== '0' && s.startTimeUnixNano !== '0') {
    event.duration = nanosBetween(s.startTimeUnixNano, s.endTimeUnixNano);
  }
  const doc = commonDoc(ds, ctx, event);
  if (!isEmptyId(s.traceId)) doc.trace = { id: s.traceId };
  const span: Record<string, unknown> = {
    name: s.name,
    kind: SPAN_KINDS[s.kind] ?? 'unspecified',
  };
  if (!isEmptyId(s.spanId)) span.id = s.spanId;
  if (s.status.message) span.status = { message: s.status.message };
  doc.span = span;
  if (!isEmptyId(s.parentSpanId)) doc.parent = { id: s.parentSpanId };
  const otel: Record<string, unknown> = {
    attributes: flatAttributes(s.attributes),
  };
  if (ctx.otelResource) otel.resource = ctx.otelResource;
  if (scopeOtel) otel.scope = scopeOtel;
  if (s.events.length > 0) {
    otel.events = s.events.map((e) => ({
      name: e.name,
      time: nanosToIso(e.timeUnixNano) ?? null,
      attributes: flatAttributes(e.attributes),
    }));
  }
  if (s.links.length > 0) {
    otel.links = s.links.map((l) => ({
      trace_id: l.traceId,
      span_id: l.spanId,
      attributes: flatAttributes(l.attributes),
    }));
  }
  doc.otel = otel;
  return { doc, ds };
}

function tracesToEcs(
  req: TracesRequest,
  namespace: string | undefined,
  sink: DocumentSink,
): void {
  mapScoped(
    req.resourceSpans,
    (rs) => rs.scopeSpans,
    (ss) => ss.spans,
    (sp, at) => {
      const { doc, ds } = spanDoc(
        sp,
        at.ctx,
        at.scope,
        at.scopeOtel,
        namespace,
      );
      sink.emit(ds, doc, sp.startTimeUnixNano, at.ctx.serviceName);
    },
  );
}

const TEMPORALITIES = [undefined, 'delta', 'cumulative'] as const;

/** ECS-side description of a metric, shared by its points. */
interface MetricFields {
  name: string;
  unit?: string;
  type: 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
  temporality?: 'delta' | 'cumulative';
  monotonic?: boolean;
}

function metricFields(m: OtlpMetric): MetricFields | undefined {
  let f: MetricFields;
  if (m.gauge) f = { name: m.name, type: 'gauge' };
  else if (m.sum) {
    f = {
      name: m.name,
      type: 'sum',
      temporality: TEMPORALITIES[m.sum.aggregationTemporality],
      monotonic: m.sum.isMonotonic,
    };
  } else if (m.histogram) {
    f = {
      name: m.name,
      type: 'histogram',
      temporality: TEMPORALITIES[m.histogram.aggregationTemporality],
    };
  } else if (m.exponentialHistogram) {
    f = {
      name: m.name,
      type: 'exponential_histogram',
      temporality: TEMPORALITIES[m.exponentialHistogram.aggregationTemporality],
    };
  } else if (m.summary) f = { name: m.name, type: 'summary' };
  else return undefined;
  if (m.unit) f.unit = m.unit;
  if (f.temporality === undefined) delete f.temporality;
  return f;
}

function expBuckets(b: OtlpExponentialBuckets): {
  offset: number;
  counts: number[];
} {
  return { offset: b.offset, counts: b.bucketCounts.map(Number) };
}

function setSumMinMax(
  target: Record<string, unknown>,
  p: { max?: number | string; min?: number | string; sum?: number | string },
): void {
  if (p.sum !== undefined) target.sum = doubleToJs(p.sum);
  if (p.min !== undefined) target.min = doubleToJs(p.min);
  if (p.max !== undefined) target.max = doubleToJs(p.max);
}

/** The `metric` object of one data point's document. */
function pointMetric(
  f: MetricFields,
  m: OtlpMetric,
  index: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f };
  if (m.gauge || m.sum) {
    const p = (m.gauge ?? m.sum)!.dataPoints[index];
    if (p.asDouble !== undefined) out.value = doubleToJs(p.asDouble);
    else if (p.asInt !== undefined) out.value = Number(p.asInt);
  } else if (m.histogram) {
    const p = m.histogram.dataPoints[index];
    out.count = Number(p.count);
    setSumMinMax(out, p);
    out.buckets = {
      bounds: p.explicitBounds.map(doubleToJs),
      counts: p.bucketCounts.map(Number),
    };
  } else if (m.exponentialHistogram) {
    const p = m.exponentialHistogram.dataPoints[index];
    out.count = Number(p.count);
    setSumMinMax(out, p);
    out.exponential = {
      scale: p.scale,
      zero_count: Number(p.zeroCount),
      zero_threshold: doubleToJs(p.zeroThreshold),
      positive: expBuckets(p.positive),
      negative: expBuckets(p.negative),
    };
  } else if (m.summary) {
    const p = m.summary.dataPoints[index];
    out.count = Number(p.count);
    out.sum = doubleToJs(p.sum);
    out.quantiles = p.quantileValues.map((q) => ({
      quantile: doubleToJs(q.quantile),
      value: doubleToJs(q.value),
    }));
  }
  return out;
}

/** The data points of a metric, whatever its type. */
export function metricDataPoints(m: OtlpMetric): readonly {
  attributes: OtlpKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
}[] {
  return (
    (m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary)
      ?.dataPoints ?? []
  );
}

function metricsToEcs(
  req: MetricsRequest,
  namespace: string | undefined,
  sink: DocumentSink,
): void {
  mapScoped(
    req.resourceMetrics,
    (rm) => rm.scopeMetrics,
    (sm) => sm.metrics,
    (m, { ctx, scope, scopeOtel }) => {
      const f = metricFields(m);
      if (!f) return;
      const points = metricDataPoints(m);
      for (let i = 0; i < points.length; i++) {
        const p = points[i];
        const ds = dataStream('metrics', ctx, scope, p.attributes, namespace);
        const doc = commonDoc(ds, ctx);
        doc.metric = pointMetric(f, m, i);
        const otel: Record<string, unknown> = {
          attributes: flatAttributes(p.attributes),
        };
        if (ctx.otelResource) otel.resource = ctx.otelResource;
        if (scopeOtel) otel.scope = scopeOtel;
        doc.otel = otel;
        sink.emit(
          ds,
          doc,
          p.timeUnixNano !== '0' ? p.timeUnixNano : p.startTimeUnixNano,
          ctx.serviceName,
        );
      }
    },
  );
}

function mapInto(
  req: OtlpRequest,
  sink: DocumentSink,
  namespace?: string,
): void {
  switch (req.signal) {
    case 'logs':
      return logsToEcs(req, namespace, sink);
    case 'traces':
      return tracesToEcs(req, namespace, sink);
    case 'metrics':
      return metricsToEcs(req, namespace, sink);
  }
}

/**
 * Maps a decoded request to Elasticsearch documents: one per log record,
 * span or metric data point, in ECS with the OTel attributes kept under
 * `otel.*` (never mapped onto ECS top-level fields, so no mapping
 * conflicts). The exact shape is in `libs/otlp/README.md`.
 *
 * `@timestamp` comes from the record's own time (logs: `timeUnixNano`,
 * then `observedTimeUnixNano`; spans: `startTimeUnixNano`; points:
 * `timeUnixNano`, then `startTimeUnixNano`), else the request's
 * `receivedAt`. With `options.timeWindow`, an own time outside the window
 * is kept in `freeride.original_timestamp`, `@timestamp` is the receipt
 * time and `freeride.timestamp_adjusted` says why (`too_old`,
 * `in_future`). `options.source` is stored as `freeride.source`;
 * `options.admit` may refuse a data stream or service by throwing.
 *
 * @see https://www.elastic.co/docs/reference/ecs/ecs-opentelemetry
 * @see https://www.elastic.co/docs/reference/ecs/ecs-field-reference
 * @see https://www.elastic.co/docs/reference/fleet/data-streams#data-streams-naming-scheme
 */
export function toEcsDocuments(
  req: OtlpRequest,
  options: ToEcsOptions = {},
): EcsWrite[] {
  const sink = new DocumentSink(req.receivedAt, options, 'writes');
  mapInto(req, sink, options.namespace);
  return sink.writes;
}

/**
 * The same documents as {@link toEcsDocuments}, already serialised as
 * Elasticsearch `_bulk` lines (a `create` action line and a source line per
 * document, each ending with `\n`): what the ingest stores in its stream at
 * receipt, so that the indexer only concatenates stored bytes. Each
 * document is serialised once; its id hashes that same text.
 * @see https://www.elastic.co/docs/reference/elasticsearch/rest-apis/bulk
 */
export function toBulkLines(
  req: OtlpRequest,
  options: ToEcsOptions = {},
): BulkLines {
  const sink = new DocumentSink(req.receivedAt, options, 'lines');
  mapInto(req, sink, options.namespace);
  return sink.lines();
}
