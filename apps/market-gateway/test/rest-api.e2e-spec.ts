import type { Quote } from '@freeride/contracts';
import type {
  BarsResult,
  NewsResult,
  ProviderHealthSnapshot,
} from '@freeride/market-data';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis, waitFor } from './support/testing';

describe('market gateway REST API (real Redis, provider fakes)', () => {
  let redis: RedisServer;
  let fakes: Fakes;
  let gateway: Gateway;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    fakes = await startFakes();
  });

  afterAll(async () => {
    await fakes.stop();
    await redis.dispose();
  });

  afterEach(async () => {
    await gateway.stop();
    for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon]) {
      fake.setScenario('normal');
      fake.resetCounters();
    }
  });

  describe('routes', () => {
    beforeEach(async () => {
      gateway = await startGateway(
        gatewayEnv(fakes, redis.url, { LOG_LEVEL: 'warn' }),
      );
    });

    it('serves several quotes in one request', async () => {
      const res = await request(gateway.url)
        .get('/v1/quotes?symbols=AAPL,MSFT,IBM')
        .expect(200);
      expect((res.body as Quote[]).map((q) => q.symbol)).toEqual([
        'AAPL',
        'MSFT',
        'IBM',
      ]);
    });

    it('rejects more than 50 symbols with 400', async () => {
      const symbols = Array.from({ length: 51 }, (_, i) => `S${i}`).join(',');
      const res = await request(gateway.url)
        .get(`/v1/quotes?symbols=${symbols}`)
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
    });

    it('serves intraday bars from Polygon, oldest first', async () => {
      const res = await request(gateway.url)
        .get('/v1/bars/AAPL?interval=15min')
        .expect(200);
      const bars = res.body as BarsResult;
      expect(bars).toMatchObject({
        cached: false,
        interval: '15min',
        provider: 'polygon',
        symbol: 'AAPL',
      });
      expect(bars.bars.length).toBeGreaterThan(0);
      expect(bars.bars[0].start < bars.bars[bars.bars.length - 1].start).toBe(
        true,
      );
    });

    it('fails over to Alpha Vantage for bars when Polygon is rate limited', async () => {
      fakes.polygon.setScenario('rate-limit-429');
      const res = await request(gateway.url)
        .get('/v1/bars/MSFT?interval=5min')
        .expect(200);
      expect(res.body).toMatchObject({
        provider: 'alphavantage',
        symbol: 'MSFT',
      });
    });

    it('rejects an unknown bar interval with 400', async () => {
      await request(gateway.url).get('/v1/bars/AAPL?interval=7min').expect(400);
      expect(fakes.polygon.totalCalls).toBe(0);
    });

    it('serves company news from Finnhub and caches it', async () => {
      const first = await request(gateway.url)
        .get('/v1/news/AAPL?from=2026-11-01&to=2026-11-24')
        .expect(200);
      expect(first.body).toMatchObject({ cached: false, provider: 'finnhub' });
      expect((first.body as NewsResult).items.length).toBe(3);
      const second = await request(gateway.url)
        .get('/v1/news/AAPL?from=2026-11-01&to=2026-11-24')
        .expect(200);
      expect(second.body).toMatchObject({ cached: true });
      expect(fakes.finnhub.totalCalls).toBe(1);
    });

    it('documents every route in OpenAPI', async () => {
      const res = await request(gateway.url).get('/docs-json').expect(200);
      const paths = Object.keys(
        (res.body as { paths: Record<string, unknown> }).paths,
      );
      expect(paths).toEqual(
        expect.arrayContaining([
          '/v1/quotes',
          '/v1/quotes/{symbol}',
          '/v1/bars/{symbol}',
          '/v1/news/{symbol}',
          '/health/providers',
        ]),
      );
      // The release version (root package.json, which nx release bumps).
      const release = (
        JSON.parse(
          readFileSync(join(__dirname, '../../../package.json'), 'utf8'),
        ) as { version: string }
      ).version;
      expect((res.body as { info: { version: string } }).info.version).toBe(
        release,
      );
    });

    it('reports Redis and every provider in readiness', async () => {
      const res = await request(gateway.url).get('/health/ready').expect(200);
      const details = (res.body as { details: Record<string, unknown> })
        .details;
      expect(Object.keys(details).sort()).toEqual(['providers', 'redis']);
      expect(Object.keys(details['providers'] as object).sort()).toEqual([
        'alphavantage',
        'finnhub',
        'polygon',
        'status',
      ]);
    });
  });

  describe('health probes', () => {
    beforeEach(async () => {
      gateway = await startGateway(
        gatewayEnv(fakes, redis.url, {
          BREAKER_FAILURE_THRESHOLD: '1',
          BREAKER_HALF_OPEN_AFTER_MS: '300',
          LOG_LEVEL: 'warn',
          PROBE_INTERVAL_MS: '200',
          PROBE_PROVIDERS: 'finnhub',
        }),
      );
    });

    it('closes an open breaker through the periodic probe of the test symbol, without traffic', async () => {
      fakes.finnhub.setScenario('errors');
      await waitFor(
        async () => {
          const health = (await request(gateway.url).get('/health/providers'))
            .body as ProviderHealthSnapshot[];
          return (
            health.find((h) => h.provider === 'finnhub')?.breaker === 'open'
          );
        },
        {
          description: 'the Finnhub breaker opened by failing probes',
          timeoutMs: 5000,
        },
      );
      const ready = await request(gateway.url).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({
        details: {
          providers: {
            finnhub: {
              breaker: 'open',
              reason: 'breaker open: upstream',
              status: 'down',
            },
            polygon: { status: 'up' },
            status: 'up',
          },
        },
      });
      fakes.finnhub.setScenario('normal');
      await waitFor(
        async () => {
          const health = (await request(gateway.url).get('/health/providers'))
            .body as ProviderHealthSnapshot[];
          return (
            health.find((h) => h.provider === 'finnhub')?.breaker === 'closed'
          );
        },
        {
          description: 'the Finnhub breaker closed by a probe',
          timeoutMs: 5000,
        },
      );
      expect(fakes.finnhub.callsBySymbol.get('AAPL')).toBeGreaterThan(1);
    });
  });
});
