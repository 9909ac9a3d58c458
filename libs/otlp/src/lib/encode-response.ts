import type { OtlpEncoding, OtlpSignal } from './otlp-request';
import { OTLP_TYPES } from './proto/otlp-proto';

const RESPONSE_TYPES = {
  logs: OTLP_TYPES.logsResponse,
  metrics: OTLP_TYPES.metricsResponse,
  traces: OTLP_TYPES.tracesResponse,
} as const;

const REJECTED_FIELD = {
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
  traces: 'rejectedSpans',
} as const;

const EMPTY = new Uint8Array(0);
const EMPTY_JSON = new TextEncoder().encode('{}');
const textEncoder = new TextEncoder();

/**
 * The `partial_success` of an export response.
 * @see https://opentelemetry.io/docs/specs/otlp/#partial-success-1
 */
export interface OtlpPartialSuccess {
  /** Number of log records, spans or data points the server did not accept. */
  rejected: number;
  /** Why, for the sender's logs. */
  errorMessage: string;
}

/**
 * Encodes the `Export<Signal>ServiceResponse` body of a `200 OK`: empty
 * (full success), or with `partialSuccess` carrying
 * `rejectedLogRecords` / `rejectedSpans` / `rejectedDataPoints` and
 * `errorMessage`. JSON int64 counts are written as numbers, which proto3
 * JSON parsers accept.
 *
 * @param encoding the request's encoding (the response uses the same).
 * @see https://opentelemetry.io/docs/specs/otlp/#full-success-1
 * @see https://opentelemetry.io/docs/specs/otlp/#partial-success-1
 */
export function encodeExportResponse(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  partial?: OtlpPartialSuccess,
): Uint8Array {
  if (!partial) return encoding === 'json' ? EMPTY_JSON.slice() : EMPTY.slice();
  const partialSuccess = {
    [REJECTED_FIELD[signal]]: partial.rejected,
    errorMessage: partial.errorMessage,
  };
  if (encoding === 'json') {
    // proto3 JSON writes int64 fields as decimal strings.
    return textEncoder.encode(
      JSON.stringify({ partialSuccess: { ...partialSuccess, [REJECTED_FIELD[signal]]: String(partial.rejected) } }),
    );
  }
  const type = RESPONSE_TYPES[signal];
  return type.encode(type.fromObject({ partialSuccess })).finish();
}

/**
 * Encodes a `google.rpc.Status` body for a 4xx/5xx answer (`details` is
 * left empty).
 *
 * @param code a gRPC status code (e.g. 3 `INVALID_ARGUMENT` for a 400,
 *   8 `RESOURCE_EXHAUSTED` for a 429, 14 `UNAVAILABLE` for a 503).
 * @see https://opentelemetry.io/docs/specs/otlp/#failures-1
 * @see https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto
 */
export function encodeStatus(
  encoding: OtlpEncoding,
  code: number,
  message: string,
): Uint8Array {
  if (encoding === 'json') {
    return textEncoder.encode(JSON.stringify({ code, message }));
  }
  return OTLP_TYPES.status.encode({ code, message }).finish();
}
