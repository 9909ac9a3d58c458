// Test helpers: read fixtures, and encode OTLP/JSON fixtures as protobuf so
// every JSON fixture doubles as a protobuf fixture.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { OtlpRequest, OtlpSignal } from '../lib/otlp-request';
import { OTLP_TYPES } from '../lib/proto/otlp-proto';

const FIXTURES = join(__dirname, 'fixtures');

/** Raw bytes of `fixtures/<kind>/<name>`. */
export function fixture(kind: 'ok' | 'not-ok', name: string): Buffer {
  return readFileSync(join(FIXTURES, kind, name));
}

/** Parsed JSON of `fixtures/<kind>/<name>`. */
export function jsonFixture(kind: 'ok' | 'not-ok', name: string): unknown {
  return JSON.parse(fixture(kind, name).toString('utf8'));
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP/JSON → the protobufjs object form (hex ids become bytes). */
function toProtobufObject(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toProtobufObject);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      ID_KEYS.has(k) && typeof x === 'string'
        ? Buffer.from(x, 'hex')
        : toProtobufObject(x);
  }
  return out;
}

const REQUEST = {
  logs: OTLP_TYPES.logsRequest,
  metrics: OTLP_TYPES.metricsRequest,
  traces: OTLP_TYPES.tracesRequest,
} as const;

/** Encodes an OTLP/JSON request as an OTLP protobuf request body. */
export function jsonToProtobuf(signal: OtlpSignal, json: unknown): Uint8Array {
  const type = REQUEST[signal];
  return type
    .encode(type.fromObject(toProtobufObject(json) as Record<string, unknown>))
    .finish();
}

/** A request without its decode-time `receivedAt`, for comparisons. */
export function withoutReceivedAt(
  req: OtlpRequest,
): Omit<OtlpRequest, 'receivedAt'> {
  const { receivedAt: _receivedAt, ...rest } = req;
  return rest;
}
