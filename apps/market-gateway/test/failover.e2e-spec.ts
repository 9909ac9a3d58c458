import type { Quote } from '@freeride/contracts';
import type { ProviderHealthSnapshot } from '@freeride/market-data';

import Redis from 'ioredis';
import request from 'supertest';

import type { FakeScenario } from './support/fakes';
import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  otlpEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import {
  type CollectedSpan,
  OtlpCollector,
  type RedisServer,
  startRedis,
  waitFor,
} from './support/testing';

const DEADLINE_MS = 2000;

/** A span or span event attribute as exported over OTLP. */
function attr(
  item: Pick<CollectedSpan, 'attributes'>,
  key: string,
): string | undefined {
  const value = item.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue;
}

describe('market gateway failover (real Redis, provider fakes)', () => {
  let redis: RedisServer;
  let redisClient: Redis;
  let fakes: Fakes;
  let gateway: Gateway;
  let symbolCounter = 0;
  // The gateway's spans, exported by the built app's own telemetry over OTLP.
  const collector = new OtlpCollector();
  /** A symbol no earlier test has cached. */
  const freshSymbol = (): string =>
    `T${(symbolCounter++).toString(36).toUpperCase()}X`;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    redisClient = new Redis(redis.url);
    fakes = await startFakes({ finnhub: { slowMs: 10_000 } });
    await collector.start();
  });

  afterAll(async () => {
    redisClient.disconnect();
    await fakes.stop();
    await redis.dispose();
    await collector.stop();
  });

  async function restartGateway(
    env: Record<string, string> = {},
  ): Promise<void> {
    await gateway?.stop();
    for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon]) {
      fake.setScenario('normal');
      fake.resetCounters();
    }
    await redisClient.flushall();
    collector.spans.length = 0;
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        ...otlpEnv(collector),
        BREAKER_FAILURE_THRESHOLD: '3',
        PROVIDER_TIMEOUT_MS: '400',
        REQUEST_DEADLINE_MS: String(DEADLINE_MS),
        ...env,
      }),
    );
  }

  afterEach(async () => {
    await gateway?.stop();
  });

  describe('GET /v1/quotes/:symbol', () => {
    beforeEach(() => restartGateway());

    it('serves a quote from Finnhub, saying which provider and how old', async () => {
      const res = await request(gateway.url).get('/v1/quotes/AAPL').expect(200);
      const quote = res.body as Quote;
      expect(quote).toMatchObject({
        cached: false,
        provider: 'finnhub',
        stale: false,
        symbol: 'AAPL',
      });
      expect(quote.ageMs).toBeGreaterThanOrEqual(0);
      expect(Date.parse(quote.asOf)).toBeLessThanOrEqual(
        Date.parse(quote.receivedAt),
      );
      const again = await request(gateway.url)
        .get('/v1/quotes/AAPL')
        .expect(200);
      expect(again.body).toMatchObject({ cached: true, provider: 'finnhub' });
      expect(fakes.finnhub.totalCalls).toBe(1);
    });

    it.each<[string, FakeScenario]>([
      ['is down (HTTP 500)', 'errors'],
      ['is slow (beyond the provider timeout)', 'slow'],
      ['is rate limited (HTTP 429 storm)', 'rate-limit-429'],
      ['returns garbage', 'garbage'],
      ['returns an empty body', 'empty'],
      ['refuses every key', 'auth-failed'],
    ])(
      'fails over to Polygon within the request deadline when Finnhub %s',
      async (_condition, scenario) => {
        fakes.finnhub.setScenario(scenario);
        const started = Date.now();
        const res = await request(gateway.url)
          .get(`/v1/quotes/${freshSymbol()}`)
          .expect(200);
        const elapsed = Date.now() - started;
        expect(res.body).toMatchObject({ provider: 'polygon', stale: false });
        expect(elapsed).toBeLessThan(DEADLINE_MS);
        expect(fakes.finnhub.totalCalls).toBeGreaterThan(0);
        expect(fakes.polygon.totalCalls).toBe(1);
      },
    );

    it('fails over to Alpha Vantage when Finnhub and Polygon are both down', async () => {
      fakes.finnhub.setScenario('errors');
      fakes.polygon.setScenario('errors');
      const res = await request(gateway.url)
        .get(`/v1/quotes/${freshSymbol()}`)
        .expect(200);
      expect(res.body).toMatchObject({ provider: 'alphavantage' });
    });

    it('answers 503 naming every attempt when no provider can serve', async () => {
      for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon])
        fake.setScenario('errors');
      const res = await request(gateway.url)
        .get(`/v1/quotes/${freshSymbol()}`)
        .expect(503);
      expect(res.body).toMatchObject({
        error: 'PROVIDER_UNAVAILABLE',
        statusCode: 503,
      });
    });

    it('answers 429 with Retry-After when every provider is rate limited', async () => {
      fakes.finnhub.setScenario('rate-limit-429');
      fakes.polygon.setScenario('rate-limit-429');
      fakes.alphavantage.setScenario('rate-limit-note');
      const res = await request(gateway.url)
        .get(`/v1/quotes/${freshSymbol()}`)
        .expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('flags a stale price as stale when no provider has a fresh one', async () => {
      fakes.finnhub.setScenario('stale');
      fakes.polygon.setScenario('stale');
      fakes.alphavantage.setScenario('errors');
      const res = await request(gateway.url)
        .get(`/v1/quotes/${freshSymbol()}`)
        .expect(200);
      const quote = res.body as Quote;
      expect(quote.stale).toBe(true);
      expect(quote.ageMs).toBeGreaterThan(gateway.config.cache.maxQuoteAgeMs);
    });

    it('answers 404 when no provider knows the symbol', async () => {
      const res = await request(gateway.url).get('/v1/quotes/ZZZZ').expect(404);
      expect(res.body).toMatchObject({ error: 'SYMBOL_NOT_FOUND' });
    });

    it('rejects a malformed symbol with 400', async () => {
      const res = await request(gateway.url)
        .get('/v1/quotes/not%20a%20symbol')
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
      expect(fakes.finnhub.totalCalls).toBe(0);
    });

    it('records the cache lookup, each provider attempt and the failover in one trace', async () => {
      fakes.finnhub.setScenario('errors');
      await request(gateway.url).get(`/v1/quotes/${freshSymbol()}`).expect(200);
      // The request span ends last: once it is exported, its children are too.
      const root = await waitFor(
        () => collector.spans.find((s) => s.name === 'market-data get-quote'),
        {
          description: 'the get-quote span at the collector',
          timeoutMs: 10_000,
        },
      );
      const traceId = root.traceId;
      const inTrace = collector.trace(traceId);
      expect(inTrace.map((s) => s.name)).toEqual(
        expect.arrayContaining([
          'market-data cache.lookup',
          'market-data provider.attempt',
        ]),
      );
      const attempts = inTrace.filter(
        (s) => s.name === 'market-data provider.attempt',
      );
      expect(
        attempts.map((s) => [
          attr(s, 'freeride.market.provider'),
          attr(s, 'freeride.market.outcome'),
        ]),
      ).toEqual([
        ['finnhub', 'upstream'],
        ['polygon', 'success'],
      ]);
      expect(
        root.events.map((e) => [
          e.name,
          attr(e, 'freeride.market.failover.from'),
        ]),
      ).toEqual([['failover', 'finnhub']]);
    });
  });

  describe('circuit breaker', () => {
    beforeEach(() =>
      restartGateway({
        BREAKER_FAILURE_THRESHOLD: '2',
        BREAKER_HALF_OPEN_AFTER_MS: '500',
      }),
    );

    it('opens on a failing primary, skips it, and returns to it after the breaker closes', async () => {
      fakes.finnhub.setScenario('errors');
      for (let i = 0; i < 2; i++) {
        await request(gateway.url)
          .get(`/v1/quotes/${freshSymbol()}`)
          .expect(200);
      }
      const health = (
        await request(gateway.url).get('/health/providers').expect(200)
      ).body as ProviderHealthSnapshot[];
      expect(health.find((h) => h.provider === 'finnhub')).toMatchObject({
        breaker: 'open',
        score: 0,
      });
      const callsWhenOpen = fakes.finnhub.totalCalls;
      const skipped = await request(gateway.url)
        .get(`/v1/quotes/${freshSymbol()}`)
        .expect(200);
      expect(skipped.body).toMatchObject({ provider: 'polygon' });
      expect(fakes.finnhub.totalCalls).toBe(callsWhenOpen);
      const metrics = (await request(gateway.url).get('/metrics').expect(200))
        .text;
      expect(metrics).toMatch(
        /freeride_gateway_provider_breaker_state\{[^}]*provider="finnhub"[^}]*\} 2/,
      );
      expect(metrics).toMatch(
        /freeride_gateway_provider_failovers_total\{[^}]*from="finnhub"[^}]*\} [1-9]/,
      );

      fakes.finnhub.setScenario('normal');
      const recovered = await waitFor(
        async () => {
          const res = await request(gateway.url)
            .get(`/v1/quotes/${freshSymbol()}`)
            .expect(200);
          return (res.body as Quote).provider === 'finnhub';
        },
        {
          description: 'a quote served by Finnhub again',
          intervalMs: 100,
          timeoutMs: 5000,
        },
      );
      expect(recovered).toBe(true);
      const after = (
        await request(gateway.url).get('/health/providers').expect(200)
      ).body as ProviderHealthSnapshot[];
      expect(after.find((h) => h.provider === 'finnhub')?.breaker).toBe(
        'closed',
      );
    });
  });
});
