import type { OtlpSignal } from './otlp-request';
import { OTLP_TYPES } from './proto/otlp-proto';

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Turns OTLP/JSON hex ids into the base64 protobufjs expects for `bytes`. */
function idsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(idsToBase64);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      ID_KEYS.has(key) && typeof v === 'string'
        ? Buffer.from(v, 'hex').toString('base64')
        : idsToBase64(v);
  }
  return out;
}

/**
 * Encodes an OTLP/JSON export request (hex ids, int64 as strings or numbers)
 * as the protobuf body of an OTLP/HTTP request. For senders written in this
 * repository (test tools, benchmarks, fakes); the ingest only decodes.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-request
 */
export function encodeOtlpRequest(signal: OtlpSignal, request: object): Uint8Array {
  const type =
    signal === 'logs'
      ? OTLP_TYPES.logsRequest
      : signal === 'traces'
        ? OTLP_TYPES.tracesRequest
        : OTLP_TYPES.metricsRequest;
  return type.encode(type.fromObject(idsToBase64(request) as Record<string, unknown>)).finish();
}
