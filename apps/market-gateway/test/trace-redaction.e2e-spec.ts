import type { Client } from '@elastic/elasticsearch';

// The ingest's harness: gateway traces go through the real ingest into Elasticsearch.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  type IngestEnvironment,
  TOKENS,
  countDocs,
  startIngestEnvironment,
  uniqueNamespace,
} from '../../ingest/test/support/ingest-harness';
import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  otlpEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis, waitFor } from './support/testing';

const PROVIDER_KEYS = ['fh-key-1', 'fh-key-2', 'pg-key', 'av-key'];
const INCOMING_SECRET = 'incoming-secret-0123456789';

jest.setTimeout(150_000);

describe('gateway spans in Elasticsearch carry no provider key (gateway → ingest → Elasticsearch)', () => {
  const namespace = uniqueNamespace('redact');
  const traces = `traces-*-${namespace}`;
  let env: IngestEnvironment;
  let es: Client;
  let fakes: Fakes;
  let redis: RedisServer;
  let gateway: Gateway;

  beforeAll(async () => {
    env = await startIngestEnvironment(namespace);
    es = env.es;
    [fakes, redis] = await Promise.all([
      startFakes(),
      startRedis({ appendOnly: false }),
    ]);
    gateway = await startGateway(
      // Alpha Vantage takes its key as `?apikey=`: the outgoing URL carries it.
      gatewayEnv(fakes, redis.url, {
        ...otlpEnv(env.ingest, `Authorization=Bearer%20${TOKENS.node}`),
        QUOTE_PROVIDERS: 'alphavantage',
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await fakes?.stop();
    await redis?.dispose();
    await env?.stop();
  });

  it('redacts credential query parameters of outgoing and incoming request spans', async () => {
    const res = await fetch(
      `${gateway.url}/v1/quotes/AAPL?apikey=${INCOMING_SECRET}`,
    );
    expect(res.status).toBe(200);
    // `otel.attributes` is not indexed for search: read the span documents themselves.
    const spans = async () =>
      (
        await es.search<{
          otel?: { attributes?: Record<string, unknown> };
          span?: { kind?: string };
        }>({
          index: traces,
          q: 'service.name:market-gateway',
          size: 500,
        })
      ).hits.hits.map((h) => h._source ?? {});
    const found = await waitFor(
      async () => {
        await countDocs(es, traces, 'service.name:market-gateway');
        const all = await spans();
        const outgoing = all.filter((s) =>
          JSON.stringify(s.otel?.attributes?.['url.full'] ?? '').includes(
            'apikey=',
          ),
        );
        const incoming = all.filter(
          (s) =>
            s.span?.kind === 'server' && JSON.stringify(s).includes('apikey='),
        );
        return outgoing.length > 0 && incoming.length > 0 ? all : undefined;
      },
      {
        description: 'outgoing and incoming spans in Elasticsearch',
        intervalMs: 500,
        timeoutMs: 90_000,
      },
    );
    const text = JSON.stringify(found);
    expect(text).toContain('apikey=[REDACTED]');
    for (const secret of [...PROVIDER_KEYS, INCOMING_SECRET]) {
      expect(text).not.toContain(secret);
    }
  }, 150_000);
});
