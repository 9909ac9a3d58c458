import { waitFor } from '@freeride/testing';

import type { Client } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';

import {
  type IngestEnvironment,
  type IngestProcess,
  TOKENS,
  countDocs,
  startIngestEnvironment,
  uniqueNamespace,
} from './support/ingest-harness';
import { logsRequest } from './support/otlp-builders';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The message of an OTLP/JSON `google.rpc.Status` answer. */
const messageOf = (body: string) =>
  (JSON.parse(body) as { message: string }).message;

/**
 * The ingest's answers to hostile input (issue 11, items 3, 4, 5 and the
 * lag metric), against the real ingest, Redis and Elasticsearch.
 */
describe('ingest security (real Redis and Elasticsearch)', () => {
  const namespace = uniqueNamespace('sec');
  let env: IngestEnvironment;
  let es: Client;
  let ingest: IngestProcess;

  beforeAll(async () => {
    env = await startIngestEnvironment(namespace, {
      INGEST_SOURCE_POLICIES: JSON.stringify({
        python: {
          datasets: ['market.*'],
          namespaces: [namespace],
          services: ['freeride-fetch'],
        },
      }),
    });
    ({ es, ingest } = env);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const metrics = async () => (await fetch(`${ingest.url}/metrics`)).text();

  const post = (
    body: object,
    source: keyof typeof TOKENS = 'node',
    signal: 'logs' | 'metrics' | 'traces' = 'logs',
  ) =>
    ingest.post(signal, JSON.stringify(body), {
      authorization: `Bearer ${TOKENS[source]}`,
    });

  const docsOf = async (index: string, query: string, expected: number) => {
    await waitFor(
      async () => (await countDocs(es, index, query)) === expected,
      {
        description: `${expected} docs in ${index} for ${query}`,
        timeoutMs: 30_000,
      },
    );
    const res = await es.search<Doc>({ index, q: query, size: expected });
    return res.hits.hits.map((h) => h._source!);
  };

  describe('metric labels never come from the request', () => {
    it('answers an unknown path 404 under one fixed label, not as an internal error', async () => {
      const junk = `junk${Date.now().toString(36)}`;
      for (const path of [junk, `${junk}x`, `${junk}y`]) {
        const anonymous = await fetch(`${ingest.url}/v1/${path}`, {
          body: '{}',
          headers: { 'content-type': 'application/json' },
          method: 'POST',
        });
        expect(anonymous.status).toBe(401);
        const res = await ingest.post(path as 'logs', '{}');
        expect(res.status).toBe(404);
        expect(res.body).not.toContain(junk);
      }
      const text = await metrics();
      expect(text).not.toContain(junk);
      expect(text).toMatch(
        /freeride_ingest_rejected_requests_total\{reason="not_found",signal="unknown"[^}]*\} 3/,
      );
      expect(text).toMatch(
        /freeride_ingest_rejected_requests_total\{reason="unauthenticated",signal="unknown"[^}]*\} 3/,
      );
      expect(text).not.toMatch(/reason="internal"/);
    });

    it('keeps datasets, services, attributes and error types out of every label', async () => {
      const marker = `lbl${Date.now().toString(36)}`;
      await post(
        logsRequest(
          `svc-${marker}`,
          [{ body: 'x', attributes: { [marker]: marker } }],
          {
            'data_stream.dataset': `ds${marker}`,
            'data_stream.namespace': namespace,
          },
        ),
      );
      await post(
        logsRequest(`svc-${marker}`, [{ body: 'y' }], {
          'data_stream.dataset': 'freeride.ingest',
        }),
      );
      await docsOf(`logs-ds${marker}-${namespace}`, '*', 1);
      const text = await metrics();
      expect(text).not.toContain(marker);
      // Every label value of the ingest's own series is from a fixed set.
      const values = new Set<string>();
      // The ingest's own series (not the default process and Node.js ones).
      for (const m of text.matchAll(
        /^freeride_ingest_(?!process_|nodejs_)\w+\{([^}]*)\}/gm,
      ))
        for (const v of m[1].matchAll(/(\w+)="([^"]*)"/g))
          values.add(`${v[1]}=${v[2]}`);
      const allowed =
        /^(service=ingest|signal=(logs|traces|metrics|unknown)|source=(node|python|wordpress)|group=(indexer|fanout)|reason=(unauthenticated|forbidden|not_found|bad_request|too_large|unsupported_media_type|back_pressure|unavailable|internal|too_old|in_future|document_parsing_exception|illegal_argument_exception|mapper_parsing_exception|retries_exhausted|unmappable_entry|other)|le=[0-9.e+-]+|le=\+Inf)$/;
      for (const v of values) expect(v).toMatch(allowed);
    });
  });

  describe('what a token may write', () => {
    it('stores the authenticated source on every document', async () => {
      const [doc] = await (async () => {
        expect(
          (
            await post(
              logsRequest('source-check', [{ body: 'who sent me' }]),
              'wordpress',
            )
          ).status,
        ).toBe(200);
        return docsOf(`logs-*-${namespace}`, 'service.name:source-check', 1);
      })();
      expect(doc.freeride.source).toBe('wordpress');
    });

    it('refuses the platform own datasets to every token, with a 403 that names them', async () => {
      const res = await post(
        logsRequest('spoof', [{ body: 'pretending to be the ingest' }], {
          'data_stream.dataset': 'freeride.ingest',
          'data_stream.namespace': 'default',
        }),
      );
      expect(res.status).toBe(403);
      expect(messageOf(res.body)).toBe(
        'dataset "freeride.ingest" is reserved for the platform',
      );
      expect(
        await countDocs(es, 'logs-freeride.ingest-*', 'service.name:spoof'),
      ).toBe(0);
    });

    it('holds a restricted token to its datasets, namespaces and service names', async () => {
      const allowed = {
        'data_stream.dataset': 'market.quotes',
        'data_stream.namespace': namespace,
      };
      expect(
        (
          await post(
            logsRequest('freeride-fetch', [{ body: 'ok' }], allowed),
            'python',
          )
        ).status,
      ).toBe(200);
      const refused = [
        [
          logsRequest('freeride-fetch', [{ body: 'a' }], {
            ...allowed,
            'data_stream.dataset': 'nginx',
          }),
          'may not write dataset "nginx"',
        ],
        [
          logsRequest('freeride-fetch', [{ body: 'b' }], {
            ...allowed,
            'data_stream.namespace': 'prod',
          }),
          'may not write namespace "prod"',
        ],
        [
          logsRequest('trading', [{ body: 'c' }], allowed),
          'may not send for service "trading"',
        ],
      ] as const;
      for (const [body, message] of refused) {
        const res = await post(body, 'python');
        expect(res.status).toBe(403);
        expect(messageOf(res.body)).toContain(message);
      }
      const [doc] = await docsOf(`logs-market.quotes-${namespace}`, '*', 1);
      expect(doc.service.name).toBe('freeride-fetch');
      expect(doc.freeride.source).toBe('python');
      expect(
        await countDocs(es, `logs-nginx-*`, 'service.name:freeride-fetch'),
      ).toBe(0);
      expect(await metrics()).toMatch(
        /freeride_ingest_rejected_requests_total\{reason="forbidden",signal="logs"[^}]*\} [1-9]/,
      );
    });

    it('sanitises dataset and namespace to the data stream naming rules', async () => {
      expect(
        (
          await post(
            logsRequest('odd-names', [{ body: 'odd' }], {
              'data_stream.dataset': '.._..__All',
              'data_stream.namespace': `__${namespace.toUpperCase()}_`,
            }),
          )
        ).status,
      ).toBe(200);
      const [doc] = await docsOf(
        `logs-all-${namespace}`,
        'service.name:odd-names',
        1,
      );
      expect(doc.data_stream).toEqual({
        dataset: 'all',
        namespace,
        type: 'logs',
      });
    });
  });

  describe('record times outside the accepted window', () => {
    it('keeps the original time, indexes at the receipt time, flags and counts the record', async () => {
      const before = Date.now();
      const res = await post(
        logsRequest('time-travel', [
          { body: 'from 2230', timeMs: Date.parse('2230-01-01T00:00:00.000Z') },
          { body: 'from 1970', timeMs: Date.parse('1970-01-02T00:00:00.000Z') },
          { body: 'from now' },
        ]),
      );
      expect(res.status).toBe(200);
      const docs = await docsOf(
        `logs-*-${namespace}`,
        'service.name:time-travel',
        3,
      );
      const byMessage = new Map(docs.map((d) => [d.message as string, d]));
      for (const [message, original, reason] of [
        ['from 2230', '2230-01-01T00:00:00.000Z', 'in_future'],
        ['from 1970', '1970-01-02T00:00:00.000Z', 'too_old'],
      ]) {
        const doc = byMessage.get(message)!;
        expect(doc.freeride.original_timestamp).toBe(original);
        expect(doc['freeride.timestamp_adjusted']).toBe(reason);
        const at = Date.parse(doc['@timestamp'] as string);
        expect(at).toBeGreaterThanOrEqual(before - 1000);
        expect(at).toBeLessThanOrEqual(Date.now());
      }
      expect(
        byMessage.get('from now')!.freeride.original_timestamp,
      ).toBeUndefined();
      // Searchable by the flag.
      expect(
        await countDocs(
          es,
          `logs-*-${namespace}`,
          'freeride.timestamp_adjusted:in_future AND service.name:time-travel',
        ),
      ).toBe(1);
      const text = await metrics();
      expect(text).toMatch(
        /freeride_ingest_timestamps_adjusted_total\{reason="in_future",signal="logs"[^}]*\} [1-9]/,
      );
      expect(text).toMatch(
        /freeride_ingest_timestamps_adjusted_total\{reason="too_old",signal="logs"[^}]*\} [1-9]/,
      );
    });
  });
});

describe('ingest stream lag metric across Redis restarts', () => {
  it('reports the real lag after a restart, and none once the stream is gone', async () => {
    const namespace = uniqueNamespace('lag');
    // No indexer: its group only lags; the fan-out creates the groups.
    const env = await startIngestEnvironment(namespace, {
      INDEXER_ENABLED: 'false',
    });
    const lag = async () => {
      const text = await (await fetch(`${env.ingest.url}/metrics`)).text();
      const m =
        /freeride_ingest_stream_lag_entries\{group="indexer",signal="logs"[^}]*\} (\d+)/.exec(
          text,
        );
      return m ? Number(m[1]) : undefined;
    };
    try {
      // A sender retries a 503 (Redis not connected yet just after start).
      for (let i = 0; i < 3; i++) {
        const body = JSON.stringify(
          logsRequest('lagging', [{ body: `n${i}` }]),
        );
        await waitFor(
          async () => (await env.ingest.post('logs', body)).status === 200,
          {
            description: `entry ${i} accepted`,
            timeoutMs: 30_000,
          },
        );
      }
      await waitFor(async () => (await lag()) === 3, {
        description: 'indexer lag of 3 entries',
        timeoutMs: 30_000,
      });
      // Redis reloads the stream from its append-only file.
      await env.redis.restart();
      const client = new Redis(env.redis.url);
      try {
        // One more entry (retried while the ingest reconnects to Redis): the
        // metric must count it on top of the reloaded ones.
        const body = JSON.stringify(logsRequest('lagging', [{ body: 'n3' }]));
        await waitFor(
          async () => (await env.ingest.post('logs', body)).status === 200,
          { description: 'entry 3 accepted', timeoutMs: 30_000 },
        );
        await waitFor(async () => (await lag()) === 4, {
          description: 'indexer lag of 4 entries after the restart',
          timeoutMs: 30_000,
        });
        // The stream gone, as after a restart without data: no lag, not the old value.
        await client.flushall();
      } finally {
        client.disconnect();
      }
      await waitFor(async () => (await lag()) === 0, {
        description: 'lag back to 0 once the stream is gone',
        timeoutMs: 30_000,
      });
      expect(await lag()).toBe(0);
    } finally {
      await env.stop();
    }
  });
});
