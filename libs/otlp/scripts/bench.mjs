// Rough single-core throughput of decode and ECS mapping for OTLP logs and
// spans. Usage (from the repo root):
//   PATH=node_modules/.bin:$PATH tsx libs/otlp/scripts/bench.mjs [records-per-request]
import { randomBytes } from 'node:crypto';

import {
  decodeOtlpRequest,
  toEcsDocuments,
  toLogRecordEvents,
} from '../src/index.ts';
import { OTLP_DECODE_TYPES, OTLP_TYPES } from '../src/lib/proto/otlp-proto.ts';

const perRequest = Number(process.argv[2] ?? 1000);
const kv = (key, value) => ({
  key,
  value:
    typeof value === 'number' ? { intValue: value } : { stringValue: value },
});

function logsRequest() {
  const now = BigInt(Date.now()) * 1000000n;
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            kv('service.name', 'quotes-fetcher'),
            kv('service.version', '1.4.2'),
            kv('service.instance.id', 'a1b2c3'),
            kv('host.name', 'worker-1'),
            kv('deployment.environment', 'production'),
            kv('telemetry.sdk.name', 'opentelemetry'),
            kv('telemetry.sdk.language', 'python'),
            kv('telemetry.sdk.version', '1.38.0'),
            kv('process.pid', 4242),
          ],
        },
        scopeLogs: [
          {
            scope: { name: 'freeride.quotes', version: '2.0.0' },
            logRecords: Array.from({ length: perRequest }, (_, i) => ({
              timeUnixNano: String(now + BigInt(i)),
              observedTimeUnixNano: String(now + BigInt(i) + 1000n),
              severityNumber: 9,
              severityText: 'INFO',
              body: {
                stringValue: `fetched ${i % 50} quotes from finnhub in ${i % 300} ms (cache miss)`,
              },
              attributes: [
                kv('provider', 'finnhub'),
                kv('symbol', `SYM${i % 500}`),
                kv('latency_ms', i % 300),
                kv('http.route', '/v1/quote'),
                kv('code.function', 'fetch_quotes'),
                kv('code.lineno', 120),
              ],
              traceId: randomBytes(16).toString('hex'),
              spanId: randomBytes(8).toString('hex'),
              flags: 1,
            })),
          },
        ],
      },
    ],
  };
}

function toProtobufObject(v) {
  if (Array.isArray(v)) return v.map(toProtobufObject);
  if (typeof v !== 'object' || v === null) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      (k === 'traceId' || k === 'spanId') && typeof x === 'string'
        ? Buffer.from(x, 'hex')
        : toProtobufObject(x);
  }
  return out;
}

const json = logsRequest();
const jsonBody = Buffer.from(JSON.stringify(json));
const T = OTLP_TYPES.logsRequest;
const pbBody = T.encode(T.fromObject(toProtobufObject(json))).finish();

// CPU time of this process, best of 5 rounds: the machine is shared, and
// wall-clock time mostly measures the neighbours.
function bench(name, fn, bytes) {
  for (let i = 0; i < 20; i++) fn();
  const runs = 40;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < runs; i++) fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  const perSec = Math.round((runs * perRequest) / best);
  const mb = bytes ? ` ${((runs * bytes) / best / 1e6).toFixed(0)} MB/s` : '';
  console.log(
    `${name.padEnd(44)} ${perSec.toLocaleString('en').padStart(10)} records/cpu-s${mb}`,
  );
}

console.log(
  `logs: ${perRequest} records/request, protobuf ${pbBody.length} B, JSON ${jsonBody.length} B`,
);
const req = decodeOtlpRequest('logs', 'protobuf', pbBody);
const stored = JSON.stringify(req);
const writes = toEcsDocuments(req);
bench(
  'protobufjs decode only',
  () => OTLP_DECODE_TYPES.logs.decode(pbBody),
  pbBody.length,
);
bench(
  'decodeOtlpRequest protobuf',
  () => decodeOtlpRequest('logs', 'protobuf', pbBody),
  pbBody.length,
);
bench(
  'decodeOtlpRequest json',
  () => decodeOtlpRequest('logs', 'json', jsonBody),
  jsonBody.length,
);
bench('JSON.stringify(request) (to Redis)', () => JSON.stringify(req));
bench('JSON.parse(stored) (from Redis)', () => JSON.parse(stored));
bench('toEcsDocuments', () => toEcsDocuments(req));
bench('toLogRecordEvents', () => toLogRecordEvents(req));
bench('bulk NDJSON of the documents', () => {
  let s = '';
  for (const w of writes)
    s += `{"create":{"_index":"${w.index}","_id":"${w.id}"}}\n${JSON.stringify(w.doc)}\n`;
  return s;
});
bench('ingest path: decode pb + stringify', () =>
  JSON.stringify(decodeOtlpRequest('logs', 'protobuf', pbBody)),
);
bench('indexer path: parse + ECS + NDJSON', () => {
  let s = '';
  for (const w of toEcsDocuments(JSON.parse(stored))) {
    s += `{"create":{"_index":"${w.index}","_id":"${w.id}"}}\n${JSON.stringify(w.doc)}\n`;
  }
  return s;
});
