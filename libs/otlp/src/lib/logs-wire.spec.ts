import { jsonFixture } from '../test/otlp-fixtures';
import type { DataStream } from './data-stream';
import { decodeOtlpRequest } from './decode';
import { toBulkLines } from './ecs';
import type { ToEcsOptions } from './ecs-sink';
import { encodeOtlpRequest } from './encode-request';
import { logsProtobufToBulkLines } from './logs-wire';
import type { LogsRequest } from './otlp-request';
import { OTLP_TYPES } from './proto/otlp-proto';
import { toLogRecordEvents } from './record-events';

const RECEIVED = Date.parse('2026-01-10T12:00:00.000Z');
const OPTIONS: ToEcsOptions = {
  namespace: 'prod',
  source: 'python',
  timeWindow: { futureMs: 3_600_000, pastMs: 7 * 86_400_000 },
};

/** The generic path: decode to the request tree, map, serialise. */
function generic(body: Buffer, options: ToEcsOptions = OPTIONS) {
  return toBulkLines(
    decodeOtlpRequest('logs', 'protobuf', body, RECEIVED),
    options,
  );
}

function expectSameLines(body: Buffer, options: ToEcsOptions = OPTIONS) {
  const fast = logsProtobufToBulkLines(body, RECEIVED, options, true);
  expect(fast).toBeDefined();
  const slow = generic(body, options);
  expect(fast!.body.toString('utf8')).toBe(slow.body);
  expect(fast!.docs).toBe(slow.docs);
  expect(fast!.adjusted).toEqual(slow.adjusted);
  // The fan-out's events, byte for byte as the generic path serialises them.
  const events = toLogRecordEvents(
    decodeOtlpRequest('logs', 'protobuf', body, RECEIVED) as LogsRequest,
  );
  expect(JSON.stringify(fast!.events)).toBe(JSON.stringify(events));
  expect(
    logsProtobufToBulkLines(body, RECEIVED, options)?.events,
  ).toBeUndefined();
  return fast!;
}

const pb = (json: object) => Buffer.from(encodeOtlpRequest('logs', json));

/** A deterministic pseudo-random generator (the spec must be repeatable). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nowNanos = (offsetMs: number) =>
  `${BigInt(RECEIVED + offsetMs) * 1_000_000n + 123n}`;

function randomValue(r: () => number, depth = 0): object {
  const pick = Math.floor(r() * (depth > 1 ? 7 : 9));
  const strings = ['', 'GET', 'été ☃', 'quote "x"\n\\', '0', 'a'.repeat(80)];
  switch (pick) {
    case 0:
    case 1:
      return { stringValue: strings[Math.floor(r() * strings.length)] };
    case 2:
      return {
        intValue: ['200', '-1', '9007199254740993', '0'][Math.floor(r() * 4)],
      };
    case 3:
      return { doubleValue: [1.5, -0, 1e21, 3][Math.floor(r() * 4)] };
    case 4:
      return { boolValue: r() < 0.5 };
    case 5:
      return { bytesValue: 'AQID' };
    case 6:
      return {};
    case 7:
      return {
        arrayValue: {
          values: [randomValue(r, depth + 1), randomValue(r, depth + 1)],
        },
      };
    default:
      return {
        kvlistValue: {
          values: [
            { key: 'k', value: randomValue(r, depth + 1) },
            { key: '2', value: randomValue(r, depth + 1) },
          ],
        },
      };
  }
}

function randomAttributes(r: () => number, n: number) {
  const keys = [
    'http.request.method',
    'url.path',
    'data_stream.dataset',
    'data_stream.namespace',
    'exception.type',
    'exception.message',
    'exception.stacktrace',
    '7',
    '__proto__',
    'x',
    // resource attributes an ECS field may take (then left out of otel.resource)
    'host.name',
    'service.version',
    'deployment.environment',
  ];
  return Array.from({ length: n }, () => ({
    key: keys[Math.floor(r() * keys.length)],
    value: randomValue(r),
  }));
}

function randomRequest(seed: number): object {
  const r = rng(seed);
  const times = [0, -60_000, -30 * 86_400_000, 2 * 3_600_000, 5];
  return {
    resourceLogs: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: `svc-${seed % 3}` } },
          ...(r() < 0.5
            ? [{ key: 'telemetry.sdk.name', value: { stringValue: 'otel' } }]
            : []),
          ...randomAttributes(r, Math.floor(r() * 3)),
        ],
      },
      scopeLogs: Array.from({ length: 1 + Math.floor(r() * 2) }, () => ({
        scope:
          r() < 0.7
            ? {
                attributes: randomAttributes(r, Math.floor(r() * 2)),
                name: r() < 0.5 ? 'bench' : '',
                version: r() < 0.5 ? '1.0' : '',
              }
            : undefined,
        logRecords: Array.from({ length: Math.floor(r() * 6) }, () => {
          const record: Record<string, unknown> = {
            attributes: randomAttributes(r, Math.floor(r() * 5)),
            severityNumber: Math.floor(r() * 26),
            severityText: r() < 0.5 ? 'Warn' : '',
          };
          if (r() < 0.8)
            record.timeUnixNano = nowNanos(
              times[Math.floor(r() * times.length)],
            );
          if (r() < 0.5) record.observedTimeUnixNano = nowNanos(1);
          if (r() < 0.9) record.body = randomValue(r);
          if (r() < 0.7)
            record.traceId = r() < 0.2 ? '0'.repeat(32) : 'ab'.repeat(16);
          if (r() < 0.7) record.spanId = 'cd'.repeat(8);
          if (r() < 0.2) record.eventName = 'order.placed';
          return record;
        }),
      })),
    })),
  };
}

describe('logsProtobufToBulkLines', () => {
  it('writes the lines of the generic path for the logs fixture', () => {
    const body = pb(jsonFixture('ok', 'logs-with-trace.json') as object);
    const fast = expectSameLines(body);
    expect(fast.docs).toBeGreaterThan(0);
    expect(fast.records).toBe(fast.docs);
    expectSameLines(body, {});
  });

  it('writes the lines of the generic path for generated requests of every value kind', () => {
    let docs = 0;
    for (let seed = 1; seed <= 300; seed++) {
      docs += expectSameLines(pb(randomRequest(seed))).docs;
    }
    expect(docs).toBeGreaterThan(500);
  });

  it('reads fields in any order: records before their scope, scopes before their resource', () => {
    // A hand-built ResourceLogs whose scope_logs (2) precede its resource (1).
    const resource = Buffer.from(
      OTLP_TYPES.logsRequest
        .lookupType('opentelemetry.proto.resource.v1.Resource')
        .encode({
          attributes: [{ key: 'service.name', value: { stringValue: 'late' } }],
        })
        .finish(),
    );
    const scopeLogs = Buffer.from(
      OTLP_TYPES.logsRequest
        .lookupType('opentelemetry.proto.logs.v1.ScopeLogs')
        .encode({ logRecords: [{ body: { stringValue: 'hi' } }] })
        .finish(),
    );
    const field = (n: number, bytes: Buffer) =>
      Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
    const resourceLogs = Buffer.concat([
      field(2, scopeLogs),
      field(1, resource),
    ]);
    const fast = expectSameLines(field(1, resourceLogs));
    expect(fast.body.toString()).toContain('"service":{"name":"late"}');
  });

  it('gives the request back to the generic path when it is invalid, which then names the fault', () => {
    const valid = pb(jsonFixture('ok', 'logs-with-trace.json') as object);
    const truncated = valid.subarray(0, valid.length - 3);
    expect(
      logsProtobufToBulkLines(truncated, RECEIVED, OPTIONS),
    ).toBeUndefined();
    expect(() => generic(truncated)).toThrow(/invalid protobuf/);
    const badTrace = pb({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ traceId: 'abcd'.repeat(4) }] }] },
      ],
    });
    // 8 bytes where 16 are required.
    expect(
      logsProtobufToBulkLines(badTrace, RECEIVED, OPTIONS),
    ).toBeUndefined();
    expect(() => generic(badTrace)).toThrow(/traceId: expected 16 bytes/);
    const badUtf8 = pb({
      resourceLogs: [
        { scopeLogs: [{ logRecords: [{ body: { stringValue: 'é' } }] }] },
      ],
    });
    const at = badUtf8.indexOf(Buffer.from('é'));
    badUtf8[at + 1] = 0x28; // not a continuation byte
    expect(logsProtobufToBulkLines(badUtf8, RECEIVED, OPTIONS)).toBeUndefined();
    expect(() => generic(badUtf8)).toThrow(/invalid protobuf/);
  });

  it('asks admission once per data stream and service, in order, after reading the whole body', () => {
    const body = pb(randomRequest(11));
    const calls: string[] = [];
    const admit = (ds: DataStream, service: string) =>
      calls.push(`${ds.type}-${ds.dataset}-${ds.namespace} ${service}`);
    logsProtobufToBulkLines(body, RECEIVED, { ...OPTIONS, admit });
    const fastCalls = [...calls];
    calls.length = 0;
    generic(body, { ...OPTIONS, admit });
    expect(fastCalls).toEqual(calls);
    expect(calls.length).toBeGreaterThan(0);
    const refuse = () => {
      throw new Error('refused');
    };
    expect(() =>
      logsProtobufToBulkLines(body, RECEIVED, { ...OPTIONS, admit: refuse }),
    ).toThrow('refused');
  });

  it('returns no lines for an empty request', () => {
    const fast = logsProtobufToBulkLines(Buffer.alloc(0), RECEIVED, OPTIONS);
    expect(fast).toEqual({
      adjusted: { in_future: 0, too_old: 0 },
      body: Buffer.alloc(0),
      docs: 0,
      records: 0,
    });
  });
});
