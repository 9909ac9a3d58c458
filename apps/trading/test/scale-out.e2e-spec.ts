import { Client } from 'pg';

import { MIGRATIONS_LOCK_ID } from '../src/database/database.constants';
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

describe('two evaluators splitting the symbols, rule changes broadcast with LISTEN/NOTIFY', () => {
  let infra: Infra;
  const apps: TradingApp[] = [];
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const [S0, S1] = symbolsOfPartitions('SPLIT');

  beforeAll(async () => {
    infra = await startInfra();
    await receiver.start();
    // Both start together while the migrations lock is held (as by a migration running
    // elsewhere): each waits for it instead of failing, then one migrates and the other finds
    // nothing left to do.
    const lock = new Client({ connectionString: infra.postgres.url });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK_ID]);
      const starting = ['0', '1'].map((own) =>
        startTradingApp(infra, {
          TRADING_EVAL_PARTITION_COUNT: '2',
          TRADING_EVAL_PARTITIONS: own,
          TRADING_EVAL_START: 'earliest',
        }),
      );
      const started = Promise.all(starting);
      // An instance that exits instead of waiting fails this at once, with its log.
      await Promise.race([
        started,
        waitFor(
          async () =>
            Number(
              (
                await lock.query<{ n: string }>(
                  `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
                )
              ).rows[0].n,
            ) === 2,
          { description: 'both instances waiting for the migrations lock' },
        ),
      ]);
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK_ID]);
      apps.push(...(await started));
    } finally {
      await lock.end();
    }
    trader = await createTrader(apps[0], 'split');
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await receiver.stop();
    await infra?.stop();
  });

  const ruleOn = async (app: TradingApp, symbol: string, path: string) => {
    const res = await api<{ id: string }>(app, trader, 'POST', '/v1/alerts', {
      condition: { threshold: 100, type: 'price_above' },
      delivery: { webhookUrl: `${receiver.url}/${path}` },
      symbol,
      trigger: { cooldownSeconds: 0, mode: 'every_time' },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  };

  const keysAt = (path: string) =>
    receiver
      .delivered(`/${path}`)
      .map(
        (w) =>
          (JSON.parse(w.body) as { idempotencyKey: string }).idempotencyKey,
      );

  it('fires each rule once, on the instance owning its symbol, wherever the rule was created', async () => {
    // Both rules created through instance 0: instance 1 learns its rule by NOTIFY.
    await ruleOn(apps[0], S0, 'p0');
    await ruleOn(apps[0], S1, 'p1');
    // A rule of a symbol of partition 0 created through instance 1.
    await ruleOn(apps[1], S0, 'p0-via-1');
    await new Promise((r) => setTimeout(r, 500)); // the notifications are asynchronous

    for (let i = 0; i < 3; i++) {
      for (const symbol of [S0, S1])
        await publishTick(infra.redis, {
          asOf: T0 + i * 1000,
          price: i === 1 ? 101 : 99,
          symbol,
        });
    }
    await waitFor(
      () =>
        keysAt('p0').length >= 1 &&
        keysAt('p1').length >= 1 &&
        keysAt('p0-via-1').length >= 1,
      { description: 'three webhooks', timeoutMs: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate would arrive by now
    for (const path of ['p0', 'p1', 'p0-via-1']) {
      const keys = keysAt(path);
      expect({ path, keys: keys.length, unique: new Set(keys).size }).toEqual({
        path,
        keys: 1,
        unique: 1,
      });
    }
    // Each firing was stored once.
    const { rows } = await infra.pg.query<{ n: string }>(
      'SELECT count(*) AS n FROM alert_triggers',
    );
    expect(Number(rows[0].n)).toBe(3);
  });

  it('stops evaluating a rule deleted through the other instance', async () => {
    const id = await ruleOn(apps[1], S0, 'deleted');
    await new Promise((r) => setTimeout(r, 500));
    const del = await api(apps[1], trader, 'DELETE', `/v1/alerts/${id}`);
    expect(del.status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 500));
    await publishTick(infra.redis, {
      asOf: T0 + 10_000,
      price: 120,
      symbol: S0,
    });
    // The other rules on S0 fire on this tick; the deleted one must not.
    await waitFor(() => keysAt('p0').length >= 2, {
      description: 'the live rule fired on the same tick',
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(keysAt('deleted')).toEqual([]);
  });
});
