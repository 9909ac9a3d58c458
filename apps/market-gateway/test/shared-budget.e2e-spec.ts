import Redis from 'ioredis';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis } from './support/testing';

const SYMBOLS = Array.from(
  { length: 60 },
  (_, i) => `S${String(i).padStart(2, '0')}Y`,
);

describe('two market gateway instances sharing one provider budget (real Redis, provider fakes)', () => {
  let redis: RedisServer;
  let fakes: Fakes;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    // The fakes enforce each key's plan and count every call beyond it.
    fakes = await startFakes({
      alphavantage: {
        plan: [
          { limit: 1, windowMs: 1000 },
          { limit: 25, windowMs: 86_400_000 },
        ],
      },
      finnhub: { keys: ['fh-key-1'], plan: [{ limit: 10, windowMs: 60_000 }] },
      polygon: { plan: [{ limit: 5, windowMs: 60_000 }] },
    });
    for (let i = 0; i < 2; i++) {
      gateways.push(
        await startGateway(
          gatewayEnv(fakes, redis.url, {
            FINNHUB_API_KEYS: 'fh-key-1',
            FINNHUB_PLAN_LIMITS: '10/60000',
            LOG_LEVEL: 'error',
            PROVIDER_BUDGET_SHARED: 'true',
          }),
        ),
      );
    }
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await fakes?.stop();
    await redis?.dispose();
  });

  it('together make no provider call beyond any plan, each instance on its own being within it', async () => {
    // Each instance alone could spend the whole plan: both ask for different symbols at once.
    const responses = await Promise.all(
      SYMBOLS.map((symbol, i) =>
        fetch(`${gateways[i % 2].url}/v1/quotes/${symbol}`),
      ),
    );
    const statuses = responses.map((r) => r.status);
    // Served, or refused for want of budget (429) or of any provider within the deadline (503).
    expect(
      [...new Set(statuses)].filter((s) => ![200, 429, 503].includes(s)),
    ).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(fakes.finnhub.totalCalls).toBeLessThanOrEqual(10);
    expect(fakes.polygon.totalCalls).toBeLessThanOrEqual(5);
    for (const fake of [fakes.alphavantage, fakes.finnhub, fakes.polygon])
      expect({ over: fake.overLimitCalls, provider: fake.name }).toEqual({
        over: 0,
        provider: fake.name,
      });
    // The budget lives in Redis, hash-tagged per scope (one slot on a cluster).
    const client = new Redis(redis.url);
    const keys = await client.keys('freeride:ratelimit:*');
    client.disconnect();
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^freeride:ratelimit:\{finnhub:[0-9a-f]{8}\}:10\/60000$/,
        ),
      ]),
    );
  });
});
