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
  // Without events too (the byte writer's records can differ by mode).
  const lines = logsProtobufToBulkLines(body, RECEIVED, options);
  expect(lines?.events).toBeUndefined();
  expect(lines!.body.toString('utf8')).toBe(slow.body);
  expect(lines!.docs).toBe(slow.docs);
  expect(lines!.adjusted).toEqual(slow.adjusted);
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

  describe('writes the bytes of the generic path', () => {
    /** One record per body, value and time; each compared with the generic path. */
    const request = (records: object[], scope: object = { name: 'app' }) =>
      pb({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'svc' } },
                { key: 'host.name', value: { stringValue: 'h1' } },
              ],
            },
            scopeLogs: [{ logRecords: records, scope }],
          },
        ],
      });
    const at = (offsetMs: number) => ({ timeUnixNano: nowNanos(offsetMs) });
    const STRINGS = [
      '',
      'plain ascii',
      'quote " and backslash \\',
      'controls \u0000\u0001\b\t\n\u000b\f\r\u001f\u007f end',
      'été ☃ 😀 中文',
      '\ufeffbom first',
      '</script> \u2028 \u2029',
      'x'.repeat(5000),
    ];

    it('for string bodies, attributes and event names that need escaping or are not ASCII', () => {
      const records = STRINGS.flatMap((s, i) => [
        { ...at(0), body: { stringValue: s }, severityNumber: 9 },
        {
          ...at(0),
          attributes: [{ key: s || 'k', value: { stringValue: s } }],
          eventName: s,
          severityText: s,
        },
        { ...at(i), attributes: [{ key: `k${i}`, value: { stringValue: s } }] },
      ]);
      const fast = expectSameLines(request(records));
      expect(fast.docs).toBe(records.length);
      expectSameLines(request(records), {});
    });

    it('for attribute values of every kind', () => {
      const values = [
        { stringValue: 'v' },
        { intValue: '0' },
        { intValue: '4294967295' },
        { intValue: '4294967296' },
        { intValue: '9007199254740991' },
        { intValue: '9007199254740992' },
        { intValue: '-1' },
        { intValue: '-9007199254740992' },
        { intValue: '-9223372036854775808' },
        { intValue: '9223372036854775807' },
        { doubleValue: 0.1 },
        { doubleValue: -0 },
        { doubleValue: 1e300 },
        { doubleValue: 5e-324 },
        { doubleValue: 'NaN' },
        { doubleValue: 'Infinity' },
        { doubleValue: '-Infinity' },
        { boolValue: true },
        { boolValue: false },
        { bytesValue: 'AQID' },
        {},
        { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } },
        { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } },
      ];
      const records = values.map((value, i) => ({
        ...at(0),
        attributes: [
          { key: 'first', value: { stringValue: 'x' } },
          { key: `v${i}`, value },
          { key: 'last', value },
        ],
        body: value,
      }));
      expectSameLines(request(records));
      // And as the one attribute of records with no body.
      expectSameLines(
        request(values.map((value) => ({ attributes: [{ key: 'a', value }] }))),
      );
    });

    it('for record times at date and window boundaries, unset, observed only and adjusted', () => {
      const day = Date.parse('2026-01-10T00:00:00.000Z') - RECEIVED;
      const times = [
        { timeUnixNano: `${BigInt(RECEIVED + day) * 1_000_000n}` },
        { timeUnixNano: `${BigInt(RECEIVED + day) * 1_000_000n - 1n}` },
        {
          timeUnixNano: `${BigInt(RECEIVED + day - 1) * 1_000_000n + 999_999n}`,
        },
        { timeUnixNano: '1' },
        { timeUnixNano: '999999' },
        { timeUnixNano: '1000000' },
        { timeUnixNano: '18446744073709551615' },
        { timeUnixNano: `${BigInt(RECEIVED - 7 * 86_400_000) * 1_000_000n}` },
        {
          timeUnixNano: `${BigInt(RECEIVED - 7 * 86_400_000) * 1_000_000n - 1n}`,
        },
        {
          timeUnixNano: `${BigInt(RECEIVED + 3_600_000) * 1_000_000n + 999_999n}`,
        },
        { timeUnixNano: `${BigInt(RECEIVED + 3_600_001) * 1_000_000n}` },
        {},
        { observedTimeUnixNano: nowNanos(-5) },
        { observedTimeUnixNano: nowNanos(-40 * 86_400_000) },
        { observedTimeUnixNano: nowNanos(5), timeUnixNano: nowNanos(-5) },
      ];
      const records = times.map((t) => ({ ...t, body: { stringValue: 'x' } }));
      const fast = expectSameLines(request(records));
      expect(fast.adjusted.too_old).toBeGreaterThan(0);
      expect(fast.adjusted.in_future).toBeGreaterThan(0);
      expectSameLines(request(records), {});
      expectSameLines(request(records), { source: 'a "quoted" \u00e9 source' });
    });

    it('for trace and span ids, severities, data streams and scopes', () => {
      const ids = [
        '00'.repeat(16),
        '0123456789abcdef'.repeat(2),
        'ff'.repeat(16),
      ];
      const records = ids.flatMap((id, i) => [
        { ...at(0), spanId: id.slice(0, 16), traceId: id },
        {
          ...at(0),
          severityNumber: i * 12,
          severityText: ['', 'Info', 'WARN'][i],
        },
        { ...at(0), severityNumber: -3 + i * 20 },
        {
          ...at(0),
          attributes: [
            { key: 'data_stream.dataset', value: { stringValue: `App.${i}` } },
            ...(i > 0
              ? [{ key: 'data_stream.namespace', value: { intValue: `${i}` } }]
              : []),
          ],
        },
      ]);
      expectSameLines(request(records));
      expectSameLines(request(records, {}));
      expectSameLines(
        request(records, {
          attributes: [
            { key: 'data_stream.namespace', value: { stringValue: 'Scoped' } },
          ],
          name: 'n"ame',
          version: '2',
        }),
      );
    });

    it('for records the string writer takes: duplicate or index-like keys, errors', () => {
      const records = [
        {
          ...at(0),
          attributes: [
            { key: 'a', value: { stringValue: '1' } },
            { key: 'a', value: { intValue: '2' } },
          ],
        },
        {
          ...at(0),
          attributes: [
            { key: 'b', value: { stringValue: '1' } },
            { key: '10', value: { intValue: '2' } },
          ],
        },
        {
          ...at(0),
          attributes: [{ key: 'exception.type', value: { stringValue: 'E' } }],
        },
        {
          ...at(0),
          attributes: [
            { key: 'exception.message', value: { stringValue: '' } },
          ],
        },
        {
          ...at(0),
          body: {
            kvlistValue: {
              values: [{ key: 'k', value: { stringValue: 'v' } }],
            },
          },
        },
        { ...at(0), body: {} },
      ];
      expectSameLines(request(records));
    });

    it('gives up on invalid UTF-8 wherever the byte writer copies it', () => {
      const invalid = [
        [0xc3, 0x28], // not a continuation byte
        [0xc0, 0xaf], // overlong
        [0xed, 0xa0, 0x80], // a surrogate
        [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
        [0xe2, 0x82], // truncated
      ];
      const marker = 'MARKERMARKER';
      const places = [
        (s: string) => ({ body: { stringValue: s } }),
        (s: string) => ({
          attributes: [{ key: 'k', value: { stringValue: s } }],
        }),
        (s: string) => ({ eventName: s }),
      ];
      for (const place of places)
        for (const bytes of invalid) {
          const body = request([{ ...at(0), ...place(marker) }]);
          const i = body.indexOf(marker);
          // Same length: the marker's bytes become `a…` plus the invalid sequence.
          Buffer.from(bytes).copy(body, i + 1);
          expect(
            logsProtobufToBulkLines(body, RECEIVED, OPTIONS),
          ).toBeUndefined();
          expect(() => generic(body)).toThrow(/invalid protobuf/);
        }
    });
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
