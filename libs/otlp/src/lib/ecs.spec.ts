import { fixture, jsonFixture, jsonToProtobuf } from '../test/otlp-fixtures';
import { decodeOtlpRequest } from './decode';
import { toEcsDocuments } from './ecs';
import type { EcsWrite } from './ecs';
import type { OtlpSignal } from './otlp-request';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function ecs(
  signal: OtlpSignal,
  body: unknown,
  namespace?: string,
): EcsWrite[] {
  const req = decodeOtlpRequest(
    signal,
    'json',
    Buffer.from(JSON.stringify(body)),
  );
  return toEcsDocuments(req, namespace === undefined ? {} : { namespace });
}

function str(key: string, value: string) {
  return { key, value: { stringValue: value } };
}

/** A logs request with one resource, one scope and the given records. */
function logs(
  records: object[],
  resourceAttrs: object[] = [],
  scope: object = {},
) {
  return {
    resourceLogs: [
      {
        resource: { attributes: resourceAttrs },
        scopeLogs: [{ scope, logRecords: records }],
      },
    ],
  };
}

function logDoc(
  record: object,
  resourceAttrs: object[] = [],
  scope: object = {},
): Doc {
  return ecs('logs', logs([record], resourceAttrs, scope))[0].doc;
}

describe('toEcsDocuments', () => {
  describe('logs-with-trace.json', () => {
    const writes = toEcsDocuments(
      decodeOtlpRequest('logs', 'json', fixture('ok', 'logs-with-trace.json')),
    );
    const doc = writes[0].doc as Doc;

    it('writes one document per log record', () => {
      expect(writes).toHaveLength(2);
    });

    it('maps resource attributes to ECS service, host and agent fields', () => {
      expect(doc.service).toEqual({
        environment: 'production',
        instance: { id: 'i-42' },
        name: 'quotes-fetcher',
        namespace: 'freeride',
        version: '1.4.2',
      });
      expect(doc.host).toEqual({ name: 'worker-1' });
      expect(doc.agent).toEqual({
        name: 'opentelemetry/python',
        version: '1.38.0',
      });
    });

    it('maps the record to message, log, event, trace, span and error', () => {
      expect(doc).toMatchObject({
        '@timestamp': '2025-11-25T00:00:00.123Z',
        error: {
          message: 'timed out after 5000 ms',
          stack_trace: 'TimeoutError: timed out\n    at fetch (quotes.py:12)',
          type: 'TimeoutError',
        },
        event: { dataset: 'generic', severity: 17 },
        log: { level: 'error', logger: 'freeride.quotes' },
        message: 'provider failover',
        span: { id: 'eee19b7ec3c1b174' },
        trace: { id: '5b8efff798038103d269b633813fc60c' },
      });
    });

    it('keeps attributes flat under otel.* with primitive values', () => {
      expect(doc.otel.attributes).toEqual({
        cached: false,
        'exception.message': 'timed out after 5000 ms',
        'exception.stacktrace':
          'TimeoutError: timed out\n    at fetch (quotes.py:12)',
        'exception.type': 'TimeoutError',
        latency_ms: 12.5,
        limits: '{"rpm":60}',
        provider: 'finnhub',
        retry: 3,
        symbols: ['AAPL', 'MSFT'],
      });
      // What the ECS fields above carry verbatim is stored once, there.
      expect(doc.otel.resource.attributes).toEqual({
        'process.pid': 4242,
        'telemetry.sdk.language': 'python',
        'telemetry.sdk.name': 'opentelemetry',
      });
      expect(doc.otel.scope).toEqual({
        name: 'freeride.quotes',
        version: '2.0.0',
      });
    });

    it('stringifies a kvlist body into message and keeps it under otel.body', () => {
      const second = writes[1].doc as Doc;
      expect(second.message).toBe('{"symbol":"AAPL","price":190.12}');
      expect(second.otel.body).toEqual({ price: 190.12, symbol: 'AAPL' });
      expect(second.trace).toBeUndefined();
    });

    it('routes by the record data_stream.dataset, sanitised', () => {
      expect(writes[0].index).toBe('logs-generic-default');
      expect(writes[1].index).toBe('logs-quotes_fetcher-default');
      expect((writes[1].doc as Doc).data_stream).toEqual({
        dataset: 'quotes_fetcher',
        namespace: 'default',
        type: 'logs',
      });
      expect((writes[1].doc as Doc).event.dataset).toBe('quotes_fetcher');
    });

    it('produces documents that survive JSON unchanged', () => {
      for (const w of writes)
        expect(JSON.parse(JSON.stringify(w))).toStrictEqual(w);
    });
  });

  describe('data stream routing', () => {
    it.each([
      ['no attributes, no option', [], [], undefined, 'logs-generic-default'],
      ['the namespace option', [], [], 'prod', 'logs-generic-prod'],
      [
        'resource attributes over the option',
        [
          str('data_stream.dataset', 'nginx.access'),
          str('data_stream.namespace', 'EU-West'),
        ],
        [],
        'prod',
        'logs-nginx.access-eu_west',
      ],
      [
        'record attributes over resource attributes',
        [str('data_stream.dataset', 'resource')],
        [str('data_stream.dataset', 'record')],
        undefined,
        'logs-record-default',
      ],
      [
        'disallowed characters',
        [
          str('data_stream.dataset', 'My App/Worker*1'),
          str('data_stream.namespace', 'a:b#c d'),
        ],
        [],
        undefined,
        'logs-my_app_worker_1-a_b_c_d',
      ],
      [
        'dots, underscores and non-ASCII at the edges and in runs',
        [
          str('data_stream.dataset', '.._..__all'),
          str('data_stream.namespace', '__x_y_'),
        ],
        [],
        undefined,
        'logs-all-x_y',
      ],
      [
        'names that sanitise to nothing',
        [
          str('data_stream.dataset', '._.'),
          str('data_stream.namespace', 'ünïcödé'),
        ],
        [],
        undefined,
        'logs-generic-n_c_d',
      ],
    ])('uses %s', (_case, resourceAttrs, recordAttrs, namespace, index) => {
      const w = ecs(
        'logs',
        logs([{ attributes: recordAttrs }], resourceAttrs),
        namespace,
      );
      expect(w[0].index).toBe(index);
    });

    it('truncates dataset and namespace to 100 bytes', () => {
      const w = ecs(
        'logs',
        logs([{}], [str('data_stream.dataset', 'x'.repeat(150))]),
      );
      expect(w[0].index).toBe(`logs-${'x'.repeat(100)}-default`);
    });
  });

  describe('@timestamp', () => {
    it('uses timeUnixNano with millisecond precision', () => {
      expect(
        logDoc({ timeUnixNano: '1700000000987654321' })['@timestamp'],
      ).toBe('2023-11-14T22:13:20.987Z');
    });

    it('falls back to observedTimeUnixNano', () => {
      expect(
        logDoc({ observedTimeUnixNano: '1700000000000000000' })['@timestamp'],
      ).toBe('2023-11-14T22:13:20.000Z');
    });

    it('falls back to the request receivedAt', () => {
      const req = decodeOtlpRequest(
        'logs',
        'json',
        Buffer.from(JSON.stringify(logs([{}]))),
      );
      expect((toEcsDocuments(req)[0].doc as Doc)['@timestamp']).toBe(
        req.receivedAt,
      );
    });
  });

  describe('service identity', () => {
    it('defaults service.name to unknown_service', () => {
      expect(logDoc({}).service).toEqual({ name: 'unknown_service' });
    });

    it('prefers deployment.environment.name for service.environment', () => {
      const doc = logDoc({}, [
        str('deployment.environment', 'old'),
        str('deployment.environment.name', 'new'),
      ]);
      expect(doc.service.environment).toBe('new');
      // The key that lost keeps its value in otel.resource.attributes.
      expect(doc.otel.resource.attributes).toEqual({
        'deployment.environment': 'old',
      });
    });

    it('leaves otel.resource out when ECS fields carry every resource attribute', () => {
      const doc = logDoc({}, [
        str('service.name', 'api'),
        str('service.version', '2.1.0'),
        str('host.name', 'web-1'),
      ]);
      expect(doc.service).toEqual({ name: 'api', version: '2.1.0' });
      expect(doc.host).toEqual({ name: 'web-1' });
      expect(doc.otel).toEqual({ attributes: {} });
    });

    it('keeps a resource attribute an ECS field took only as a string', () => {
      const doc = logDoc({}, [
        { key: 'service.version', value: { intValue: '3' } },
        str('service.name', ''),
      ]);
      expect(doc.service).toEqual({ name: 'unknown_service', version: '3' });
      expect(doc.otel.resource.attributes).toEqual({
        'service.name': '',
        'service.version': 3,
      });
    });

    it('counts only own attributes: a __proto__ array leaves no empty otel.resource', () => {
      const doc = logDoc({}, [
        str('service.name', 'api'),
        {
          key: '__proto__',
          value: { arrayValue: { values: [{ stringValue: 'x' }] } },
        },
      ]);
      expect(doc.service).toEqual({ name: 'api' });
      expect(doc.otel.resource).toBeUndefined();
    });

    it('drops no attribute whose key only looks like an object member', () => {
      const doc = logDoc({}, [
        str('toString', '[object Undefined]'),
        str('constructor', 'x'),
      ]);
      expect(doc.otel.resource.attributes).toEqual({
        constructor: 'x',
        toString: '[object Undefined]',
      });
    });
  });

  describe('log.level', () => {
    it('lower-cases severityText', () => {
      expect(
        logDoc({ severityText: 'WARNING', severityNumber: 13 }).log.level,
      ).toBe('warning');
    });

    it.each([
      [1, 'trace'],
      [4, 'trace'],
      [5, 'debug'],
      [9, 'info'],
      [12, 'info'],
      [13, 'warn'],
      [17, 'error'],
      [20, 'error'],
      [21, 'fatal'],
      [24, 'fatal'],
    ])('derives %i as %s without severityText', (severityNumber, level) => {
      const doc = logDoc({ severityNumber });
      expect(doc.log.level).toBe(level);
      expect(doc.event.severity).toBe(severityNumber);
    });

    it('leaves log.level and event.severity out without any severity', () => {
      const doc = logDoc({});
      expect(doc.log.level).toBeUndefined();
      expect(doc.event.severity).toBeUndefined();
    });
  });

  describe('log bodies', () => {
    it.each([
      [{ stringValue: 'plain' }, 'plain'],
      [{ intValue: '42' }, '42'],
      [{ doubleValue: 1.5 }, '1.5'],
      [{ boolValue: true }, 'true'],
      [
        { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } },
        '["a",1]',
      ],
      [{ bytesValue: 'AAEC' }, 'AAEC'],
    ])('turns body %j into message %s', (body, message) => {
      const doc = logDoc({ body });
      expect(doc.message).toBe(message);
      expect(doc.otel.body).toBeUndefined();
    });

    it('leaves message out without a body', () => {
      expect(logDoc({})).not.toHaveProperty('message');
    });
  });

  describe('trace correlation', () => {
    it('omits all-zero trace and span ids', () => {
      const doc = logDoc({
        spanId: '0000000000000000',
        traceId: '00000000000000000000000000000000',
      });
      expect(doc.trace).toBeUndefined();
      expect(doc.span).toBeUndefined();
    });
  });

  describe('attribute values', () => {
    it('keeps safe int64 as numbers, others as strings, NaN as null and bytes as base64', () => {
      const doc = logDoc({
        attributes: [
          { key: 'small', value: { intValue: '-12' } },
          { key: 'big', value: { intValue: '9223372036854775807' } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: 'Infinity' } },
          { key: 'bytes', value: { bytesValue: 'AAEC' } },
          { key: 'empty', value: {} },
          {
            key: 'nested',
            value: {
              arrayValue: {
                values: [{ kvlistValue: { values: [str('a', 'b')] } }],
              },
            },
          },
        ],
      });
      expect(doc.otel.attributes).toEqual({
        big: '9223372036854775807',
        bytes: 'AAEC',
        empty: null,
        inf: null,
        nan: null,
        nested: ['{"a":"b"}'],
        small: -12,
      });
    });
  });

  describe('traces-with-events-and-links.json', () => {
    const writes = toEcsDocuments(
      decodeOtlpRequest(
        'traces',
        'json',
        fixture('ok', 'traces-with-events-and-links.json'),
      ),
    );
    const doc = writes[0].doc as Doc;

    it('writes one document per span, routed by the resource namespace', () => {
      expect(writes.map((w) => w.index)).toEqual([
        'traces-generic-team_a',
        'traces-generic-team_a',
      ]);
    });

    it('maps ids, name, kind, duration, outcome and status', () => {
      expect(doc).toMatchObject({
        '@timestamp': '2025-11-25T00:00:00.000Z',
        event: { dataset: 'generic', duration: 250000000, outcome: 'failure' },
        parent: { id: 'eee19b7ec3c1b173' },
        service: { environment: 'staging', name: 'market-gateway' },
        span: {
          id: 'eee19b7ec3c1b174',
          kind: 'server',
          name: 'GET /quotes',
          status: { message: 'all providers down' },
        },
        trace: { id: '5b8efff798038103d269b633813fc60c' },
      });
      expect(doc.otel.attributes).toEqual({
        'http.request.method': 'GET',
        'http.response.status_code': 503,
      });
    });

    it('keeps span events and links under otel', () => {
      expect(doc.otel.events).toEqual([
        {
          attributes: { 'exception.type': 'ProviderUnavailableError' },
          name: 'exception',
          time: '2025-11-25T00:00:00.100Z',
        },
      ]);
      expect(doc.otel.links).toEqual([
        {
          attributes: { 'link.kind': 'retry' },
          span_id: 'b7ad6b7169203331',
          trace_id: '0af7651916cd43dd8448eb211c80319c',
        },
      ]);
    });

    it('maps status ok to success and omits parent.id on a root span', () => {
      const root = writes[1].doc as Doc;
      expect(root.event.outcome).toBe('success');
      expect(root.span.kind).toBe('internal');
      expect(root.parent).toBeUndefined();
    });

    it('maps an unset status to unknown', () => {
      const w = ecs('traces', {
        resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', kind: 3 }] }] }],
      });
      expect((w[0].doc as Doc).event.outcome).toBe('unknown');
      expect((w[0].doc as Doc).span.kind).toBe('client');
    });
  });

  describe('metrics-all-types.json', () => {
    const writes = toEcsDocuments(
      decodeOtlpRequest(
        'metrics',
        'json',
        fixture('ok', 'metrics-all-types.json'),
      ),
    );
    const metric = (i: number) => (writes[i].doc as Doc).metric as Doc;

    it('writes one document per data point', () => {
      expect(writes).toHaveLength(6);
      expect(new Set(writes.map((w) => w.index))).toEqual(
        new Set(['metrics-generic-default']),
      );
    });

    it('maps gauge points, asInt as a number and NaN as null', () => {
      expect(metric(0)).toEqual({
        name: 'queue.depth',
        type: 'gauge',
        unit: '{message}',
        value: 42,
      });
      expect(metric(1).value).toBeNull();
      expect((writes[0].doc as Doc).otel.attributes).toEqual({
        queue: 'deliveries',
      });
    });

    it('maps sums with temporality and monotonicity', () => {
      expect(metric(2)).toEqual({
        monotonic: true,
        name: 'deliveries',
        temporality: 'cumulative',
        type: 'sum',
        unit: '{delivery}',
        value: 17.5,
      });
    });

    it('maps histograms with count, sum, min, max and buckets', () => {
      expect(metric(3)).toEqual({
        buckets: { bounds: [0.1, 0.5], counts: [2, 5, 3] },
        count: 10,
        max: 0.9,
        min: 0.01,
        name: 'http.server.request.duration',
        sum: 2.5,
        temporality: 'delta',
        type: 'histogram',
        unit: 's',
      });
    });

    it('maps exponential histograms', () => {
      expect(metric(4)).toEqual({
        count: 6,
        exponential: {
          negative: { counts: [], offset: 0 },
          positive: { counts: [1, 2, 2], offset: -1 },
          scale: 2,
          zero_count: 1,
          zero_threshold: 0,
        },
        name: 'payload.size',
        sum: 600,
        temporality: 'cumulative',
        type: 'exponential_histogram',
        unit: 'By',
      });
    });

    it('maps summaries with quantiles', () => {
      expect(metric(5)).toEqual({
        count: 4,
        name: 'rpc.latency',
        quantiles: [
          { quantile: 0.5, value: 9 },
          { quantile: 0.99, value: 15 },
        ],
        sum: 40,
        type: 'summary',
        unit: 'ms',
      });
    });
  });

  describe('document ids', () => {
    it.each<[OtlpSignal, string]>([
      ['logs', 'logs-with-trace.json'],
      ['traces', 'traces-with-events-and-links.json'],
      ['metrics', 'metrics-all-types.json'],
    ])(
      'are the same for %s sent twice, as JSON or protobuf',
      (signal, name) => {
        const ids = (encoding: 'json' | 'protobuf') =>
          toEcsDocuments(
            decodeOtlpRequest(
              signal,
              encoding,
              encoding === 'json'
                ? fixture('ok', name)
                : jsonToProtobuf(signal, jsonFixture('ok', name)),
            ),
          ).map((w) => w.id);
        const first = ids('json');
        expect(ids('json')).toEqual(first);
        expect(ids('protobuf')).toEqual(first);
        expect(new Set(first).size).toBe(first.length);
        for (const id of first) expect(id).toMatch(/^[A-Za-z0-9_-]{30}$/);
      },
    );

    it('differ when the record, the scope or the resource differs', () => {
      const record = {
        body: { stringValue: 'same' },
        timeUnixNano: '1700000000000000000',
      };
      const base = ecs('logs', logs([record]))[0].id;
      expect(
        ecs('logs', logs([{ ...record, severityNumber: 9 }]))[0].id,
      ).not.toBe(base);
      expect(ecs('logs', logs([record], [], { name: 'other' }))[0].id).not.toBe(
        base,
      );
      expect(
        ecs('logs', logs([record], [str('service.name', 'b')]))[0].id,
      ).not.toBe(base);
      expect(ecs('logs', logs([record]))[0].id).toBe(base);
    });
  });
});
