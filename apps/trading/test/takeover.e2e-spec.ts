import { Cluster } from 'ioredis';

import { type RedisClusterServer, startRedisCluster } from './support/testing';
import {
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  publishTick,
  startInfra,
  startTradingApp,
  symbolsOfPartitions,
  waitFor,
} from './support/trading-harness';
import { WebhookReceiver } from './support/webhook-receiver';

const T0 = Math.ceil(Date.now() / 60_000) * 60_000;
const leaseKey = (p: number) => `freeride:trading:eval-lease:{${p}}`;

/**
 * Two evaluators on a Redis Cluster share the symbol partitions by leases;
 * the owner of one partition is killed with SIGKILL and the other takes it
 * over from its checkpoint: every trigger delivered once.
 */
describe('two evaluators sharing symbol partitions by leases, one killed', () => {
  let cluster: RedisClusterServer;
  let infra: Infra;
  let redis: Cluster;
  const apps: Record<string, TradingApp> = {};
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const [S0, S1] = symbolsOfPartitions('TAKE');
  let tickAt = T0;

  const keysAt = (path: string) =>
    receiver
      .delivered(`/${path}`)
      .map(
        (w) =>
          (JSON.parse(w.body) as { idempotencyKey: string }).idempotencyKey,
      );

  /** One crossing above 100 per symbol: 99 then 101. */
  const crossings = async (n: number) => {
    for (let i = 0; i < n; i++)
      for (const price of [99, 101]) {
        tickAt += 1000;
        for (const symbol of [S0, S1])
          await publishTick(redis, { asOf: tickAt, price, symbol });
      }
  };

  beforeAll(async () => {
    [infra, cluster] = await Promise.all([
      startInfra(),
      startRedisCluster({ replicas: 0 }),
    ]);
    redis = new Cluster(cluster.startupNodes);
    await receiver.start();
    const env = (name: string) => ({
      TRADING_EVAL_CONSUMER_NAME: `evaluator-${name}`,
      TRADING_EVAL_LEASE_MS: '2000',
      TRADING_EVAL_PARTITION_COUNT: '2',
      TRADING_EVAL_START: 'earliest',
      TRADING_REDIS_URL: `redis-cluster://${cluster.startupNodes
        .map((n) => `${n.host}:${n.port}`)
        .join(',')}`,
    });
    // One at a time: the first applies the migrations.
    apps['a'] = await startTradingApp(infra, env('a'));
    apps['b'] = await startTradingApp(infra, env('b'));
    trader = await createTrader(apps['a'], 'takeover');
  }, 120_000);

  afterAll(async () => {
    for (const app of Object.values(apps)) await app.stop();
    await receiver.stop();
    redis?.disconnect();
    await cluster?.dispose();
    await infra?.stop();
  });

  it('takes the partition of a killed evaluator over, delivering every trigger once', async () => {
    await waitFor(
      async () => {
        const owners = await Promise.all(
          [0, 1].map((p) => redis.get(leaseKey(p))),
        );
        return new Set(owners).size === 2 && owners.every(Boolean);
      },
      { description: 'one partition each', timeoutMs: 30_000 },
    );
    for (const [symbol, path] of [
      [S0, 'p0'],
      [S1, 'p1'],
    ]) {
      const res = await api(apps['a'], trader, 'POST', '/v1/alerts', {
        condition: { threshold: 100, type: 'price_above' },
        delivery: { webhookUrl: `${receiver.url}/${path}` },
        symbol,
        trigger: { cooldownSeconds: 0, mode: 'every_time' },
      });
      expect(res.status).toBe(201);
    }
    await new Promise((r) => setTimeout(r, 1000)); // NOTIFY reaches both

    await crossings(3);
    await waitFor(() => keysAt('p0').length >= 3 && keysAt('p1').length >= 3, {
      description: 'three webhooks per rule',
      timeoutMs: 30_000,
    });

    // SIGKILL the owner of partition 0; more crossings while it is dead.
    const victim = (await redis.get(leaseKey(0))) === 'evaluator-a' ? 'a' : 'b';
    const survivor = victim === 'a' ? 'b' : 'a';
    await apps[victim].kill();
    delete apps[victim];
    await crossings(3);
    await waitFor(
      async () =>
        (await redis.get(leaseKey(0))) === `evaluator-${survivor}` &&
        (await redis.get(leaseKey(1))) === `evaluator-${survivor}`,
      { description: 'the survivor holds both partitions', timeoutMs: 30_000 },
    );
    await crossings(2);
    await waitFor(() => keysAt('p0').length >= 8 && keysAt('p1').length >= 8, {
      description: 'eight webhooks per rule',
      timeoutMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, 2000)); // a duplicate would arrive by now
    for (const path of ['p0', 'p1']) {
      const keys = keysAt(path);
      expect({ keys: keys.length, path, unique: new Set(keys).size }).toEqual({
        keys: 8,
        path,
        unique: 8,
      });
    }
    const { rows } = await infra.pg.query<{ n: string }>(
      'SELECT count(*) AS n FROM alert_triggers',
    );
    expect(Number(rows[0].n)).toBe(16);
  }, 180_000);
});
