import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';

import {
  fixture,
  jsonFixture,
  jsonToProtobuf,
  withoutReceivedAt,
} from '../test/otlp-fixtures';
import { countItems, decodeOtlpRequest } from './decode';
import { OtlpDecodeError } from './otlp-decode.errors';
import type { LogsRequest, OtlpSignal, TracesRequest } from './otlp-request';

function decodeError(fn: () => unknown): OtlpDecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OtlpDecodeError) return e;
    throw e;
  }
  throw new Error('expected an OtlpDecodeError');
}

describe('decodeOtlpRequest', () => {
  describe('logs as OTLP/JSON', () => {
    const req = decodeOtlpRequest(
      'logs',
      'json',
      fixture('ok', 'logs-with-trace.json'),
    ) as LogsRequest;
    const record = req.resourceLogs[0].scopeLogs[0].logRecords[0];

    it('lower-cases trace and span ids', () => {
      expect(record.traceId).toBe('5b8efff798038103d269b633813fc60c');
      expect(record.spanId).toBe('eee19b7ec3c1b174');
    });

    it('keeps int64 times as decimal strings', () => {
      expect(record.timeUnixNano).toBe('1764028800123456789');
      expect(
        req.resourceLogs[0].scopeLogs[0].logRecords[1].observedTimeUnixNano,
      ).toBe('0');
    });

    it('normalises intValue numbers to decimal strings', () => {
      expect(record.attributes[1]).toEqual({
        key: 'retry',
        value: { intValue: '3' },
      });
    });

    it('stamps receivedAt as an ISO timestamp', () => {
      expect(req.receivedAt).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
    });

    it('round-trips through JSON', () => {
      expect(JSON.parse(JSON.stringify(req))).toStrictEqual(req);
    });
  });

  describe.each<[OtlpSignal, string]>([
    ['logs', 'logs-with-trace.json'],
    ['traces', 'traces-with-events-and-links.json'],
    ['metrics', 'metrics-all-types.json'],
  ])('%s: %s as JSON and as protobuf', (signal, name) => {
    const json = decodeOtlpRequest(signal, 'json', fixture('ok', name));
    const protobuf = decodeOtlpRequest(
      signal,
      'protobuf',
      jsonToProtobuf(signal, jsonFixture('ok', name)),
    );

    it('decodes to identical requests, key order included', () => {
      expect(JSON.stringify(withoutReceivedAt(protobuf))).toBe(
        JSON.stringify(withoutReceivedAt(json)),
      );
    });

    it('round-trips through JSON', () => {
      expect(JSON.parse(JSON.stringify(protobuf))).toStrictEqual(protobuf);
    });

    it('counts at least one item', () => {
      expect(countItems(json)).toBeGreaterThan(0);
      expect(countItems(protobuf)).toBe(countItems(json));
    });
  });

  describe('attribute values equal to their proto3 default', () => {
    it('keeps which AnyValue member is set when it is false, 0 or empty', () => {
      const values = [
        { boolValue: false },
        { intValue: '0' },
        { doubleValue: 0 },
        { stringValue: '' },
        { bytesValue: '' },
        { arrayValue: { values: [] } },
        { kvlistValue: { values: [] } },
        {},
      ];
      const json = {
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    attributes: values.map((value, i) => ({
                      key: `k${i}`,
                      value,
                    })),
                  },
                ],
              },
            ],
          },
        ],
      };
      const req = decodeOtlpRequest(
        'logs',
        'protobuf',
        jsonToProtobuf('logs', json),
      ) as LogsRequest;
      expect(
        req.resourceLogs[0].scopeLogs[0].logRecords[0].attributes.map(
          (a) => a.value,
        ),
      ).toEqual(values);
    });
  });

  describe('ids sent as base64 (protobuf generic JSON mapping)', () => {
    it('converts them to hex', () => {
      const body = Buffer.from(
        JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      parentSpanId: '',
                      spanId: Buffer.from('eee19b7ec3c1b174', 'hex').toString(
                        'base64',
                      ),
                      traceId: Buffer.from(
                        '5b8efff798038103d269b633813fc60c',
                        'hex',
                      ).toString('base64'),
                    },
                  ],
                },
              ],
            },
          ],
        }),
      );
      const req = decodeOtlpRequest('traces', 'json', body) as TracesRequest;
      expect(req.resourceSpans[0].scopeSpans[0].spans[0]).toMatchObject({
        parentSpanId: '',
        spanId: 'eee19b7ec3c1b174',
        traceId: '5b8efff798038103d269b633813fc60c',
      });
    });
  });

  describe('empty requests', () => {
    it.each<OtlpSignal>(['logs', 'traces', 'metrics'])(
      'accepts {} and an empty protobuf body for %s',
      (signal) => {
        const fromJson = decodeOtlpRequest(signal, 'json', Buffer.from('{}'));
        const fromProtobuf = decodeOtlpRequest(
          signal,
          'protobuf',
          new Uint8Array(0),
        );
        expect(countItems(fromJson)).toBe(0);
        expect(withoutReceivedAt(fromProtobuf)).toEqual(
          withoutReceivedAt(fromJson),
        );
      },
    );
  });

  describe('a payload of the OpenTelemetry JS SDK', () => {
    it('decodes the protobuf that ProtobufLogsSerializer writes', async () => {
      const exporter = new InMemoryLogRecordExporter();
      const provider = new LoggerProvider({
        processors: [new SimpleLogRecordProcessor({ exporter })],
        resource: resourceFromAttributes({ 'service.name': 'sdk-check' }),
      });
      provider.getLogger('sdk-scope', '0.1.0').emit({
        attributes: { count: 7, ratio: 0.5, tags: ['a', 'b'] },
        body: 'hello from the sdk',
        severityNumber: 13,
        severityText: 'WARN',
        timestamp: new Date('2026-01-02T03:04:05.678Z'),
      });
      await provider.forceFlush();
      const body = ProtobufLogsSerializer.serializeRequest(
        exporter.getFinishedLogRecords(),
      );
      await provider.shutdown();

      const req = decodeOtlpRequest('logs', 'protobuf', body!) as LogsRequest;
      const rl = req.resourceLogs[0];
      const record = rl.scopeLogs[0].logRecords[0];
      expect(rl.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'sdk-check' },
      });
      expect(rl.scopeLogs[0].scope).toMatchObject({
        name: 'sdk-scope',
        version: '0.1.0',
      });
      expect(record).toMatchObject({
        body: { stringValue: 'hello from the sdk' },
        severityNumber: 13,
        severityText: 'WARN',
        timeUnixNano: '1767323045678000000',
      });
      expect(record.attributes).toEqual([
        { key: 'count', value: { intValue: '7' } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
        {
          key: 'tags',
          value: {
            arrayValue: {
              values: [{ stringValue: 'a' }, { stringValue: 'b' }],
            },
          },
        },
      ]);
    });
  });

  describe('invalid bodies', () => {
    it('rejects a truncated protobuf body with the offset', () => {
      const body = fixture('not-ok', 'truncated-protobuf.bin');
      const err = decodeError(() =>
        decodeOtlpRequest('logs', 'protobuf', body),
      );
      expect(err.httpStatus).toBe(400);
      expect(err.code).toBe('OTLP_DECODE_ERROR');
      expect(err.message).toMatch(/^invalid protobuf: index out of range/);
      expect(err.details).toMatchObject({
        encoding: 'protobuf',
        signal: 'logs',
      });
    });

    it('rejects a JSON body that is not valid UTF-8', () => {
      const body = fixture('not-ok', 'invalid-utf8.json.bin');
      const err = decodeError(() => decodeOtlpRequest('logs', 'json', body));
      expect(err.message).toBe('body is not valid UTF-8');
    });

    it('rejects a protobuf string that is not valid UTF-8', () => {
      // KeyValue.key (field 1, length 2) = 0xff 0xfe inside resource attributes
      const kv = [0x0a, 0x02, 0xff, 0xfe];
      const resource = [0x0a, kv.length, ...kv];
      const resourceLogs = [0x0a, resource.length, ...resource];
      const body = Uint8Array.from([
        0x0a,
        resourceLogs.length,
        ...resourceLogs,
      ]);
      const err = decodeError(() =>
        decodeOtlpRequest('logs', 'protobuf', body),
      );
      expect(err.message).toMatch(/^invalid protobuf: .*utf-8/i);
    });

    it('rejects malformed JSON with the position', () => {
      const err = decodeError(() =>
        decodeOtlpRequest('logs', 'json', fixture('not-ok', 'malformed.json')),
      );
      expect(err.message).toMatch(/^invalid JSON at position \d+/);
    });

    it.each([
      [
        'wrong-trace-id-length.json',
        'resourceLogs[0].scopeLogs[1].logRecords[3].traceId: expected 32 hex chars',
      ],
      [
        'non-hex-span-id.json',
        'resourceLogs[0].scopeLogs[0].logRecords[0].spanId: expected 16 hex chars',
      ],
      [
        'fractional-time.json',
        'resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: expected an unsigned 64-bit integer',
      ],
      ['resource-logs-not-array.json', 'resourceLogs: expected an array'],
      [
        'attribute-int-not-integer.json',
        'resourceLogs[0].resource.attributes[1].value.intValue: expected a 64-bit integer',
      ],
    ])('rejects %s naming the field', (name, message) => {
      const err = decodeError(() =>
        decodeOtlpRequest('logs', 'json', fixture('not-ok', name)),
      );
      expect(err.message).toBe(message);
      expect(err.details.path).toBe(message.split(':')[0]);
    });

    it.each<'json' | 'protobuf'>(['json', 'protobuf'])(
      'rejects %s attribute values nested deeper than 32 levels',
      (encoding) => {
        let value: object = { stringValue: 'leaf' };
        for (let i = 0; i < 40; i++)
          value = { arrayValue: { values: [value] } };
        const json = {
          resourceLogs: [
            {
              scopeLogs: [
                { logRecords: [{ attributes: [{ key: 'deep', value }] }] },
              ],
            },
          ],
        };
        const body =
          encoding === 'json'
            ? Buffer.from(JSON.stringify(json))
            : jsonToProtobuf('logs', json);
        const err = decodeError(() =>
          decodeOtlpRequest('logs', encoding, body),
        );
        expect(err.message).toMatch(/values nested deeper than 32 levels$/);
      },
    );

    it('accepts attribute values nested 32 levels deep', () => {
      let value: object = { stringValue: 'leaf' };
      // arrays, not kvlists: protobufjs itself stops at 100 nested messages
      for (let i = 0; i < 32; i++) value = { arrayValue: { values: [value] } };
      const json = {
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: [{ attributes: [{ key: 'deep', value }] }] },
            ],
          },
        ],
      };
      const fromJson = decodeOtlpRequest(
        'logs',
        'json',
        Buffer.from(JSON.stringify(json)),
      );
      const fromProtobuf = decodeOtlpRequest(
        'logs',
        'protobuf',
        jsonToProtobuf('logs', json),
      );
      expect(withoutReceivedAt(fromProtobuf)).toEqual(
        withoutReceivedAt(fromJson),
      );
    });

    it('rejects a JSON array body', () => {
      const err = decodeError(() =>
        decodeOtlpRequest('traces', 'json', Buffer.from('[]')),
      );
      expect(err.message).toBe(
        'invalid OTLP/JSON: expected an object with "resourceSpans"',
      );
    });

    it('rejects a protobuf span id of the wrong length', () => {
      const body = jsonToProtobuf('traces', {
        resourceSpans: [
          { scopeSpans: [{ spans: [{ traceId: '00', spanId: '' }] }] },
        ],
      });
      const err = decodeError(() =>
        decodeOtlpRequest('traces', 'protobuf', body),
      );
      expect(err.message).toBe(
        'resourceSpans[0].scopeSpans[0].spans[0].traceId: expected 16 bytes, got 1',
      );
    });
  });
});
