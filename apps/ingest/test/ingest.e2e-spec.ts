import { STREAM_KEYS } from '@freeride/contracts';
import { encodeOtlpRequest } from '@freeride/otlp';
import { ensureElasticsearch, startRedis, waitFor } from '@freeride/testing';

import type { Client } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import { gzipSync } from 'node:zlib';

import {
  type IngestEnvironment,
  IngestProcess,
  TOKENS,
  countDocs,
  startIngestEnvironment,
  uniqueNamespace,
} from './support/ingest-harness';
import {
  logsRequest,
  newSpanId,
  newTraceId,
  traceRequest,
} from './support/otlp-builders';

describe('ingest (real Redis and Elasticsearch)', () => {
  let es: Client;
  let ingest: IngestProcess;
  const namespace = uniqueNamespace('e2e');

  let env: IngestEnvironment;

  beforeAll(async () => {
    env = await startIngestEnvironment(namespace);
    ({ es, ingest } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const searchable = (
    query: string,
    expected: number,
    index = `logs-*-${namespace}`,
  ) =>
    waitFor(async () => (await countDocs(es, index, query)) === expected, {
      description: `${expected} docs in ${index} for ${query}`,
      timeoutMs: 30_000,
    });

  describe('accepted exports', () => {
    it('indexes OTLP/JSON logs as ECS documents searchable by service.name and trace.id', async () => {
      const traceId = newTraceId();
      const res = await ingest.post(
        'logs',
        JSON.stringify(
          logsRequest('checkout', [
            {
              body: 'payment declined',
              severityNumber: 17,
              severityText: 'ERROR',
              spanId: newSpanId(),
              traceId,
            },
            { body: 'payment retried', traceId },
          ]),
        ),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      await searchable(`service.name:checkout AND trace.id:${traceId}`, 2);
      const hits = await es.search<Record<string, unknown>>({
        index: `logs-*-${namespace}`,
        q: `trace.id:${traceId} AND log.level:error`,
      });
      expect(hits.hits.hits[0]._source).toMatchObject({
        data_stream: { dataset: 'generic', namespace, type: 'logs' },
        log: { level: 'error' },
        message: 'payment declined',
        service: { name: 'checkout' },
        trace: { id: traceId },
      });
    });

    it('accepts gzipped protobuf and answers in protobuf', async () => {
      const body = gzipSync(
        encodeOtlpRequest(
          'logs',
          logsRequest('gzip-proto', [{ body: 'compressed line' }]),
        ),
      );
      const res = await ingest.post('logs', body, {
        'content-encoding': 'gzip',
        'content-type': 'application/x-protobuf',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-protobuf');
      await searchable('service.name:gzip-proto', 1);
    });

    it('indexes spans into traces-* so a log line is one query from its trace', async () => {
      const traceId = newTraceId();
      const spanId = newSpanId();
      expect(
        (
          await ingest.post(
            'traces',
            JSON.stringify(
              traceRequest('checkout', traceId, spanId, 'GET /pay'),
            ),
          )
        ).status,
      ).toBe(200);
      expect(
        (
          await ingest.post(
            'logs',
            JSON.stringify(
              logsRequest('checkout', [
                { body: 'inside span', spanId, traceId },
              ]),
            ),
          )
        ).status,
      ).toBe(200);
      await searchable(`trace.id:${traceId}`, 1, `traces-*-${namespace}`);
      await searchable(`trace.id:${traceId} AND span.id:${spanId}`, 1);
    });

    it('answers partial success naming the records it could not keep, and keeps the rest', async () => {
      const request = logsRequest('partial', [
        { body: 'fine' },
        { body: 'y'.repeat(2 * 1024 * 1024) },
      ]);
      const res = await ingest.post('logs', JSON.stringify(request));
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({
        partialSuccess: {
          errorMessage: '1 log record(s) rejected: larger than 1048576 bytes',
          rejectedLogRecords: '1',
        },
      });
      await searchable('service.name:partial', 1);
    });

    it('does not duplicate a record the sender retries', async () => {
      const body = JSON.stringify(
        logsRequest('retrier', [
          { body: 'sent twice', timeMs: 1_700_000_000_000 },
        ]),
      );
      expect((await ingest.post('logs', body)).status).toBe(200);
      expect((await ingest.post('logs', body)).status).toBe(200);
      await searchable('service.name:retrier', 1);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(
        await countDocs(es, `logs-*-${namespace}`, 'service.name:retrier'),
      ).toBe(1);
    });
  });

  describe('bad input', () => {
    const valid = JSON.stringify(
      logsRequest('still-serving', [{ body: 'after bad input' }]),
    );

    const cases: {
      body: () => Uint8Array | string;
      headers?: Record<string, string>;
      message: RegExp;
      name: string;
      status: number;
    }[] = [
      {
        body: () =>
          encodeOtlpRequest(
            'logs',
            logsRequest('x', [{ body: 'a'.repeat(100) }]),
          ).slice(0, 40),
        headers: { 'content-type': 'application/x-protobuf' },
        message: /invalid protobuf/i,
        name: 'truncated protobuf',
        status: 400,
      },
      {
        body: () => 'hello',
        headers: { 'content-type': 'text/plain' },
        message: /unsupported Content-Type .*text\/plain/,
        name: 'a wrong content type',
        status: 415,
      },
      {
        body: () => '{"resourceLogs": [',
        message: /invalid JSON/i,
        name: 'invalid JSON',
        status: 400,
      },
      {
        body: () =>
          Buffer.concat([
            Buffer.from('{"resourceLogs":[{"x":"'),
            Buffer.from([0xc3, 0x28]),
            Buffer.from('"}]}'),
          ]),
        message: /UTF-8/,
        name: 'invalid UTF-8',
        status: 400,
      },
      {
        body: () =>
          JSON.stringify(logsRequest('x', [{ body: 'b', traceId: 'abc' }])),
        message: /traceId/,
        name: 'a wrong trace id length',
        status: 400,
      },
      {
        body: () => Buffer.from('not gzip at all'),
        headers: { 'content-encoding': 'gzip' },
        message: /gzip/,
        name: 'a bad gzip body',
        status: 400,
      },
      {
        body: () => valid,
        headers: { authorization: '' },
        message: /missing bearer token/,
        name: 'a missing token',
        status: 401,
      },
      {
        body: () => valid,
        headers: { authorization: 'Bearer not-a-known-token' },
        message: /unknown bearer token/,
        name: 'a wrong token',
        status: 401,
      },
    ];

    it.each(cases)(
      'answers $name with $status and a clear message, and keeps serving',
      async ({ body, headers, message, status }) => {
        const res = await ingest.post('logs', body(), headers ?? {});
        expect(res.status).toBe(status);
        // Failure bodies are a google.rpc.Status in the request's encoding;
        // the message is readable in both.
        expect(res.body).toMatch(message);
        expect((await ingest.post('logs', valid)).status).toBe(200);
      },
    );

    it('refuses a 50 MB body with 413 and keeps serving', async () => {
      const huge = Buffer.alloc(50 * 1024 * 1024, 0x20);
      let status: number;
      try {
        status = (await ingest.post('logs', huge)).status;
      } catch {
        // The server may close the connection while the client is still sending.
        status = 413;
      }
      expect(status).toBe(413);
      expect((await ingest.post('logs', valid)).status).toBe(200);
    });

    it('refuses a small gzip bomb that inflates past the limit', async () => {
      const bomb = gzipSync(Buffer.alloc(40 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const res = await ingest.post('logs', bomb, {
        'content-encoding': 'gzip',
      });
      expect(res.status).toBe(413);
    });

    it('answers 404 naming the OTLP paths for an unknown signal', async () => {
      const res = await ingest.post('profiles' as 'logs', valid);
      expect(res.status).toBe(404);
      expect(res.body).toContain('/v1/logs, /v1/traces or /v1/metrics');
    });
  });

  describe('dead letters', () => {
    it('writes a document Elasticsearch rejects to the dead-letter index with its reason', async () => {
      const dlqNamespace = uniqueNamespace('dlq');
      // A hand-made template that maps service.version as a number: the kind
      // of mapping conflict a real cluster accumulates.
      await es.indices.putIndexTemplate({
        composed_of: ['freeride-ecs-base'],
        data_stream: {},
        index_patterns: [`logs-conflict-${dlqNamespace}`],
        name: `conflict-${dlqNamespace}`,
        priority: 500,
        template: {
          mappings: {
            properties: {
              service: { properties: { version: { type: 'long' } } },
            },
          },
        },
      });
      const body = JSON.stringify(
        logsRequest('conflicted', [{ body: 'will be rejected' }], {
          'data_stream.dataset': 'conflict',
          'data_stream.namespace': dlqNamespace,
          'service.version': '1.2.3-beta',
        }),
      );
      expect((await ingest.post('logs', body)).status).toBe(200);
      await waitFor(
        async () =>
          (await countDocs(
            es,
            'freeride-deadletter',
            `target.index:"logs-conflict-${dlqNamespace}"`,
          )) === 1,
        {
          description: 'dead letter written',
          timeoutMs: 30_000,
        },
      );
      const hits = await es.search<Record<string, unknown>>({
        index: 'freeride-deadletter',
        q: `target.index:"logs-conflict-${dlqNamespace}"`,
      });
      const letter = hits.hits.hits[0]._source as {
        error: { reason: string; type: string };
        original: string;
        status: number;
      };
      expect(letter.status).toBe(400);
      expect(letter.error.type).toMatch(/parsing_exception/);
      expect(letter.error.reason).toContain('service.version');
      expect(JSON.parse(letter.original)).toMatchObject({
        message: 'will be rejected',
      });
      await es.indices.deleteIndexTemplate({
        name: `conflict-${dlqNamespace}`,
      });
    });
  });

  describe('quarantine', () => {
    it('quarantines a corrupt stream entry and keeps indexing what follows', async () => {
      const writer = new Redis(env.redis.url);
      try {
        const corrupt = async (body: string, n: number, enc = 'bulk-ndjson') =>
          writer.xadd(
            STREAM_KEYS.ingest('logs', 0),
            '*',
            'enc',
            enc,
            'n',
            String(n),
            'at',
            String(Date.now()),
            'src',
            'node',
            'tp',
            '',
            'body',
            body,
          );
        // Wrong line count; an action line Elasticsearch refuses the whole request for;
        // an entry of an earlier version that cannot be decoded.
        const ids = [
          await corrupt('{not json', 1),
          await corrupt('{"not an action"}\n{"message":"x"}\n', 1),
          await corrupt('{not json', 1, 'j'),
        ];
        for (const id of ids)
          await waitFor(
            async () =>
              (await countDocs(
                es,
                'freeride-deadletter-unmappable',
                `origin:"${id}"`,
              )) === 1,
            {
              description: `corrupt entry ${id} quarantined`,
              timeoutMs: 30_000,
            },
          );
      } finally {
        writer.disconnect();
      }
      expect(
        (
          await ingest.post(
            'logs',
            JSON.stringify(
              logsRequest('after-corrupt', [{ body: 'still flowing' }]),
            ),
          )
        ).status,
      ).toBe(200);
      await searchable('service.name:after-corrupt', 1);
    });
  });

  describe('metrics', () => {
    it('exposes received, accepted, rejected, indexed and backlog figures', async () => {
      const text = await (await fetch(`${ingest.url}/metrics`)).text();
      expect(text).toMatch(
        /freeride_ingest_received_total\{[^}]*signal="logs"[^}]*\} \d+/,
      );
      expect(text).toMatch(
        /freeride_ingest_accepted_total\{[^}]*signal="logs"/,
      );
      expect(text).toMatch(
        /freeride_ingest_rejected_requests_total\{[^}]*reason="unauthenticated"/,
      );
      expect(text).toMatch(/freeride_ingest_indexed_total\{[^}]*signal="logs"/);
      expect(text).toMatch(
        /freeride_ingest_dead_lettered_total\{[^}]*reason="(document|mapper)_parsing_exception"/,
      );
      expect(text).toContain('freeride_ingest_stream_backlog_bytes');
      expect(text).toContain('freeride_ingest_stream_lag_entries');
    });
  });
});

describe('indexer batching', () => {
  it('indexes a request at once instead of holding its batch open for the flush time', async () => {
    // A read waits up to a minute for entries; once one came, its batch
    // goes with what the stream holds (INDEXER_LINGER_MS 0, the default).
    const namespace = uniqueNamespace('nb');
    const env = await startIngestEnvironment(namespace, {
      FANOUT_ENABLED: 'false',
      INDEXER_FLUSH_MS: '60000',
    });
    try {
      const first = Date.now();
      for (const body of ['one', 'two']) {
        const res = await env.ingest.post(
          'logs',
          JSON.stringify(logsRequest('natural-batch', [{ body }])),
        );
        expect(res.status).toBe(200);
        // Two separate requests: the second comes after the first is read.
        await waitFor(
          async () =>
            (await countDocs(
              env.es,
              `logs-*-${namespace}`,
              'service.name:natural-batch',
            )) >= (body === 'one' ? 1 : 2),
          {
            description: `"${body}" searchable well before the 60 s flush time`,
            timeoutMs: 30_000,
          },
        );
      }
      expect(Date.now() - first).toBeLessThan(60_000);
    } finally {
      await env.stop();
    }
  });
});

describe('ingest back-pressure', () => {
  it('answers 429 with Retry-After past the high-water mark instead of buffering', async () => {
    const { url } = await ensureElasticsearch();
    const redis = await startRedis();
    const ingest = new IngestProcess({
      env: {
        FANOUT_ENABLED: 'false',
        INDEXER_ENABLED: 'false',
        INGEST_HIGH_WATER_BYTES: '20000',
      },
      esUrl: url,
      namespace: uniqueNamespace('bp'),
      redisUrl: redis.url,
    });
    try {
      await ingest.start();
      const body = JSON.stringify(
        logsRequest('pressure', [{ body: 'x'.repeat(4000) }]),
      );
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res = await ingest.post('logs', body, {
          authorization: `Bearer ${TOKENS.python}`,
        });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      const firstRefusal = statuses.indexOf(429);
      expect({ firstRefusal, statuses }).toEqual({
        firstRefusal: expect.any(Number),
        statuses: expect.any(Array),
      });
      expect(statuses[0]).toBe(200);
      expect(firstRefusal).toBeGreaterThan(0);
      // Nothing is buffered past the mark: every later request is refused too.
      expect(statuses.slice(firstRefusal).every((s) => s === 429)).toBe(true);
      expect(retryAfter).toBe('5');
    } finally {
      await ingest.stop();
      await redis.stop();
    }
  });

  it('answers 503 with Retry-After when Redis is down, and recovers', async () => {
    const { url } = await ensureElasticsearch();
    const redis = await startRedis();
    const ingest = new IngestProcess({
      esUrl: url,
      namespace: uniqueNamespace('down'),
      redisUrl: redis.url,
    });
    try {
      await ingest.start();
      const body = JSON.stringify(
        logsRequest('redis-down', [{ body: 'while redis is down' }]),
      );
      await redis.stop();
      const res = await ingest.post('logs', body);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      await redis.restart();
      await waitFor(
        async () => (await ingest.post('logs', body)).status === 200,
        {
          description: 'ingest accepts again after Redis is back',
          timeoutMs: 30_000,
        },
      );
    } finally {
      await ingest.stop();
      await redis.stop();
    }
  });
});
