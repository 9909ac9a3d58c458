import type { Quote } from '@freeride/contracts';

import Redis from 'ioredis';

import type { FakeProviderServer } from './support/fakes';
import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis } from './support/testing';

const SYMBOLS = Array.from(
  { length: 50 },
  (_, i) => `S${String(i).padStart(2, '0')}X`,
);

/** 1,000 concurrent GETs, 20 per symbol, interleaved. */
async function burst(
  url: string,
): Promise<{ quotes: Quote[]; retryAfter: string[]; statuses: number[] }> {
  const paths = Array.from(
    { length: 1000 },
    (_, i) => `/v1/quotes/${SYMBOLS[(i * 7) % SYMBOLS.length]}`,
  );
  const responses = await Promise.all(paths.map((p) => fetch(url + p)));
  const bodies = await Promise.all(responses.map((r) => r.json()));
  return {
    quotes: bodies.filter((_, i) => responses[i].status === 200) as Quote[],
    retryAfter: responses
      .filter((r) => r.status === 429)
      .map((r) => r.headers.get('retry-after') ?? ''),
    statuses: responses.map((r) => r.status),
  };
}

function quoteCalls(fakes: Fakes): number {
  return [fakes.alphavantage, fakes.finnhub, fakes.polygon].reduce(
    (n, f) => n + f.totalCalls,
    0,
  );
}

function maxCallsPerSymbol(fake: FakeProviderServer): number {
  return Math.max(0, ...fake.callsBySymbol.values());
}

describe('market gateway under a burst of 1,000 concurrent requests for 50 symbols', () => {
  let redis: RedisServer;
  let redisClient: Redis;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    redisClient = new Redis(redis.url);
  });

  afterAll(async () => {
    redisClient.disconnect();
    await redis.dispose();
  });

  describe('with free-plan limits and two Finnhub keys', () => {
    let fakes: Fakes;
    let gateway: Gateway;

    beforeAll(async () => {
      await redisClient.flushall();
      // The fakes enforce the documented free plans per key and count any call beyond them.
      fakes = await startFakes({
        alphavantage: {
          plan: [
            { limit: 1, windowMs: 1000 },
            { limit: 25, windowMs: 86_400_000 },
          ],
        },
        finnhub: {
          plan: [
            { limit: 30, windowMs: 1000 },
            { limit: 60, windowMs: 60_000 },
          ],
        },
        polygon: { plan: [{ limit: 5, windowMs: 60_000 }] },
      });
      gateway = await startGateway(
        gatewayEnv(fakes, redis.url, {
          LOG_LEVEL: 'error',
          // Generous bounds: this test is about call counts, not latency.
          PROVIDER_TIMEOUT_MS: '5000',
          QUOTE_FRESH_MS: '60000',
          REQUEST_DEADLINE_MS: '10000',
        }),
      );
    });

    afterAll(async () => {
      await gateway.stop();
      await fakes.stop();
    });

    it('serves every request with one upstream call per symbol and none beyond any plan limit', async () => {
      const { quotes, statuses } = await burst(gateway.url);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(new Set(quotes.map((q) => q.symbol)).size).toBe(50);
      expect(quoteCalls(fakes)).toBe(50);
      for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon]) {
        expect({
          overLimitCalls: fake.overLimitCalls,
          provider: fake.name,
        }).toEqual({
          overLimitCalls: 0,
          provider: fake.name,
        });
        expect(maxCallsPerSymbol(fake)).toBeLessThanOrEqual(1);
      }
      for (const calls of fakes.finnhub.callsByKey.values())
        expect(calls).toBeLessThanOrEqual(60);
    });

    it('serves a replayed burst within the freshness window from the cache, with no upstream call', async () => {
      const before = quoteCalls(fakes);
      const { quotes, statuses } = await burst(gateway.url);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(quotes.every((q) => q.cached)).toBe(true);
      expect(quoteCalls(fakes)).toBe(before);
    });
  });

  describe('with demand far above the plans (one Finnhub key at 10 calls a minute)', () => {
    let fakes: Fakes;
    let gateway: Gateway;

    beforeAll(async () => {
      await redisClient.flushall();
      fakes = await startFakes({
        alphavantage: {
          plan: [
            { limit: 1, windowMs: 1000 },
            { limit: 25, windowMs: 86_400_000 },
          ],
        },
        finnhub: {
          keys: ['fh-key-1'],
          plan: [{ limit: 10, windowMs: 60_000 }],
        },
        polygon: { plan: [{ limit: 5, windowMs: 60_000 }] },
      });
      gateway = await startGateway(
        gatewayEnv(fakes, redis.url, {
          FINNHUB_API_KEYS: 'fh-key-1',
          FINNHUB_PLAN_LIMITS: '10/60000',
          LOG_LEVEL: 'error',
          // As above: about call counts, not latency (under load the default
          // deadlines cut calls the plan already counted).
          PROVIDER_TIMEOUT_MS: '5000',
          QUOTE_FRESH_MS: '60000',
          REQUEST_DEADLINE_MS: '10000',
        }),
      );
    });

    afterAll(async () => {
      await gateway.stop();
      await fakes.stop();
    });

    it('makes no upstream call beyond any plan limit and answers the rest 429 with Retry-After', async () => {
      const { quotes, retryAfter, statuses } = await burst(gateway.url);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      expect(fakes.finnhub.totalCalls).toBeLessThanOrEqual(10);
      expect(fakes.polygon.totalCalls).toBeLessThanOrEqual(5);
      expect(fakes.alphavantage.totalCalls).toBeLessThanOrEqual(25);
      for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon]) {
        expect({
          overLimitCalls: fake.overLimitCalls,
          provider: fake.name,
        }).toEqual({
          overLimitCalls: 0,
          provider: fake.name,
        });
        expect(maxCallsPerSymbol(fake)).toBeLessThanOrEqual(1);
      }
      expect(new Set(quotes.map((q) => q.symbol)).size).toBeGreaterThanOrEqual(
        10,
      );
      expect(retryAfter.length).toBeGreaterThan(0);
      expect(retryAfter.every((s) => Number(s) >= 1)).toBe(true);
    });
  });
});
