import { type RedisServer, startRedis } from '@freeride/testing';

import { Redis } from 'ioredis';

import { RateLimitedError } from '../market-data.errors';
import { KeyPool } from './key-pool';
import { RedisSharedBudget } from './shared-budget';
import type { PlanLimit } from './token-bucket';

const PLAN: PlanLimit[] = [{ burst: 5, limit: 5, windowMs: 1000 }];

/** Most calls seen in any window of `windowMs` (a window starting at each call). */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Two "instances" (pools) reserving calls as fast as they may for `ms`. */
async function hammer(pools: KeyPool[], ms: number): Promise<number[]> {
  const calls: number[] = [];
  const until = Date.now() + ms;
  await Promise.all(
    pools.map(async (pool) => {
      while (Date.now() < until) {
        try {
          const lease = await pool.reserve('AAPL');
          calls.push(Date.now());
          lease.complete();
        } catch (err) {
          if (!(err instanceof RateLimitedError)) throw err;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    }),
  );
  return calls;
}

describe('RedisSharedBudget with KeyPool', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis({ appendOnly: false });
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.dispose();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  const pool = (shared?: RedisSharedBudget, keys = ['k1']) =>
    new KeyPool({ keys, perKeyLimits: PLAN, provider: 'finnhub', shared });

  it('without a shared budget two instances together exceed the plan', async () => {
    const calls = await hammer([pool(), pool()], 2500);
    expect(busiestWindow(calls, 1000)).toBeGreaterThan(5);
  });

  it('with it two instances together never exceed the plan, and still use it', async () => {
    const budget = new RedisSharedBudget(redis);
    const calls = await hammer([pool(budget), pool(budget)], 2500);
    expect(busiestWindow(calls, 1000)).toBeLessThanOrEqual(5);
    expect(calls.length).toBeGreaterThanOrEqual(10);
  });

  it('rotates to the next key when one key’s shared budget is spent', async () => {
    const budget = new RedisSharedBudget(redis);
    const other = pool(budget, ['k1']);
    for (let i = 0; i < 5; i++) (await other.reserve()).complete();
    const both = pool(budget, ['k1', 'k2']);
    const used = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const lease = await both.reserve();
      used.add(lease.key);
      lease.complete();
    }
    expect([...used]).toEqual(['k2']);
    await expect(both.reserve()).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('gives a cancelled call back to the shared budget', async () => {
    const budget = new RedisSharedBudget(redis);
    const a = pool(budget);
    const b = pool(budget);
    for (let i = 0; i < 4; i++) (await a.reserve()).complete();
    (await a.reserve()).cancel();
    await new Promise((r) => setTimeout(r, 20)); // the release is reported in the background
    await expect(b.reserve()).resolves.toMatchObject({ key: 'k1' });
  });

  it('refuses calls when the shared budget cannot be reached (fail closed)', async () => {
    const other = await startRedis({ appendOnly: false });
    const client = new Redis(other.url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    await other.dispose();
    const p = pool(new RedisSharedBudget(client));
    await expect(p.reserve()).rejects.toMatchObject({
      details: expect.objectContaining({ reason: 'shared budget unavailable' }),
    });
    // The local token was given back.
    p.acquire().cancel();
    client.disconnect();
  });
});
