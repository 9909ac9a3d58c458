import {
  JsonFieldError,
  isObj,
  logsFromJson,
  metricsFromJson,
  tracesFromJson,
} from './decode-json';
import type {
  PbLogsRequest,
  PbMetricsRequest,
  PbTracesRequest,
} from './decode-protobuf';
import {
  PbFieldError,
  logsFromProtobuf,
  metricsFromProtobuf,
  tracesFromProtobuf,
} from './decode-protobuf';
import { jsonErrorPosition } from './json-error-position';
import { OtlpDecodeError } from './otlp-decode.errors';
import type {
  MetricsRequest,
  OtlpEncoding,
  OtlpMetric,
  OtlpRequest,
  OtlpSignal,
} from './otlp-request';
import { OTLP_DECODE_TYPES } from './proto/otlp-proto';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

const TOP_LEVEL = {
  logs: 'resourceLogs',
  metrics: 'resourceMetrics',
  traces: 'resourceSpans',
} as const;

function decodeProtobuf(
  signal: OtlpSignal,
  body: Uint8Array,
  receivedAt: string,
): OtlpRequest {
  let message: unknown;
  try {
    message = OTLP_DECODE_TYPES[signal].decode(body);
  } catch (e) {
    throw new OtlpDecodeError(
      `invalid protobuf: ${e instanceof Error ? e.message : String(e)}`,
      { encoding: 'protobuf', signal },
      { cause: e },
    );
  }
  try {
    switch (signal) {
      case 'logs':
        return logsFromProtobuf(message as PbLogsRequest, receivedAt);
      case 'traces':
        return tracesFromProtobuf(message as PbTracesRequest, receivedAt);
      case 'metrics':
        return metricsFromProtobuf(message as PbMetricsRequest, receivedAt);
    }
  } catch (e) {
    if (e instanceof PbFieldError) {
      throw new OtlpDecodeError(
        e.message,
        { encoding: 'protobuf', path: e.path, signal },
        { cause: e },
      );
    }
    throw e;
  }
}

function jsonSyntaxMessage(text: string, e: unknown): string {
  const position = jsonErrorPosition(text);
  const where =
    position >= 0 ? `invalid JSON at position ${position}` : 'invalid JSON';
  return `${where}: ${e instanceof Error ? e.message : String(e)}`;
}

function decodeJson(
  signal: OtlpSignal,
  body: Uint8Array,
  receivedAt: string,
): OtlpRequest {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch (e) {
    throw new OtlpDecodeError(
      'body is not valid UTF-8',
      { encoding: 'json', signal },
      { cause: e },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new OtlpDecodeError(
      jsonSyntaxMessage(text, e),
      { encoding: 'json', signal },
      { cause: e },
    );
  }
  if (!isObj(parsed)) {
    throw new OtlpDecodeError(
      `invalid OTLP/JSON: expected an object with "${TOP_LEVEL[signal]}"`,
      { encoding: 'json', signal },
    );
  }
  try {
    switch (signal) {
      case 'logs':
        return logsFromJson(parsed, receivedAt);
      case 'traces':
        return tracesFromJson(parsed, receivedAt);
      case 'metrics':
        return metricsFromJson(parsed, receivedAt);
    }
  } catch (e) {
    if (e instanceof JsonFieldError) {
      throw new OtlpDecodeError(
        `${e.path}: ${e.reason}`,
        { encoding: 'json', path: e.path, signal },
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * Decodes an (already gunzipped) OTLP/HTTP request body into its
 * normalised, JSON-serialisable form.
 *
 * Validates as it decodes: ids must be 16/8 bytes (32/16 hex chars in JSON)
 * or empty, 64-bit integers must be integers in range, a JSON body must be
 * valid UTF-8 and an object (a missing or empty top-level array is a valid
 * empty request). Unknown fields are ignored, as the spec requires.
 *
 * @param signal `logs`, `traces` or `metrics` (the `/v1/<signal>` path).
 * @param encoding `protobuf` for `application/x-protobuf`, `json` for `application/json`.
 * @param body the request body, already decompressed.
 * @throws OtlpDecodeError (`httpStatus` 400) naming what is wrong, e.g.
 *   `invalid protobuf: index out of range: 1234 + 10 > 1240`,
 *   `invalid JSON at position 17: ...`, `body is not valid UTF-8`,
 *   `resourceLogs[0].scopeLogs[1].logRecords[3].traceId: expected 32 hex chars`.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
export function decodeOtlpRequest(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  body: Uint8Array,
  receivedAtMs: number = Date.now(),
): OtlpRequest {
  const receivedAt = new Date(receivedAtMs).toISOString();
  return encoding === 'json'
    ? decodeJson(signal, body, receivedAt)
    : decodeProtobuf(signal, body, receivedAt);
}

function metricPoints(m: OtlpMetric): number {
  const data =
    m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
  return data ? data.dataPoints.length : 0;
}

function countMetricPoints(req: MetricsRequest): number {
  let n = 0;
  for (const rm of req.resourceMetrics) {
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) n += metricPoints(m);
  }
  return n;
}

/**
 * Number of items in a request, as OTLP partial success counts them: log
 * records, spans, or metric data points.
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#partial-success-1
 */
export function countItems(req: OtlpRequest): number {
  let n = 0;
  switch (req.signal) {
    case 'logs':
      for (const rl of req.resourceLogs) {
        for (const sl of rl.scopeLogs) n += sl.logRecords.length;
      }
      return n;
    case 'traces':
      for (const rs of req.resourceSpans) {
        for (const ss of rs.scopeSpans) n += ss.spans.length;
      }
      return n;
    case 'metrics':
      return countMetricPoints(req);
  }
}
