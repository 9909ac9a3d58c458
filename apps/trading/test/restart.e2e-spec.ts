import type { AlertCondition, AlertTrigger } from '@freeride/contracts';
import { type EvaluableRule, RuleEngine } from '@freeride/trading-rules';

import {
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  publishTick,
  startInfra,
  startTradingApp,
  waitForCheckpoint,
  waitForDeliveriesSettled,
} from './support/trading-harness';
import { WebhookReceiver } from './support/webhook-receiver';

const T0 = Math.ceil(Date.now() / 60_000) * 60_000;
const SYMBOL = 'RESTART';
const APP_ENV = {
  TRADING_DELIVERY_LOCK_MS: '2000',
  TRADING_EVAL_BATCH_SIZE: '16',
};

function scriptedTicks(): Array<{ asOf: number; price: number }> {
  let seed = 7;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) % 4294967296;
    return seed / 4294967296;
  };
  const ticks: Array<{ asOf: number; price: number }> = [];
  let price = 100;
  for (let i = 0; i < 400; i++) {
    price = Math.min(115, Math.max(85, price + (random() - 0.5) * 4));
    const asOf = T0 + i * 500;
    ticks.push({ asOf, price: Math.round(price * 100) / 100 });
    if (i % 37 === 5) ticks.push({ asOf, price: 1 }); // duplicate time: ignored
    if (i % 53 === 9) ticks.push({ asOf: asOf - 1500, price: 200 }); // out of order: ignored
  }
  return ticks;
}

describe('evaluator restart mid-stream', () => {
  let infra: Infra;
  let app: TradingApp | undefined;
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const rules: EvaluableRule[] = [];

  beforeAll(async () => {
    infra = await startInfra();
    await receiver.start();
    app = await startTradingApp(infra, APP_ENV);
    trader = await createTrader(app, 'restart');
    const specs: Array<[AlertCondition, AlertTrigger]> = [];
    for (let t = 90; t <= 110; t += 2.5) {
      specs.push([
        { threshold: t, type: 'crossing_up' },
        { cooldownSeconds: 0, mode: 'every_time' },
      ]);
      specs.push([
        { threshold: t, type: 'crossing_down' },
        { cooldownSeconds: 0, mode: 'every_time' },
      ]);
    }
    specs.push([{ threshold: 108, type: 'price_above' }, { mode: 'once' }]);
    specs.push([{ threshold: 92, type: 'price_below' }, { mode: 'once' }]);
    specs.push([
      { threshold: 100, type: 'price_above' },
      { cooldownSeconds: 15, mode: 'every_time' },
    ]);
    specs.push([
      { threshold: 100, type: 'price_below' },
      { barSeconds: 30, mode: 'once_per_bar' },
    ]);
    for (const [condition, trigger] of specs) {
      const res = await api<{ id: string }>(app, trader, 'POST', '/v1/alerts', {
        condition,
        delivery: { webhookUrl: `${receiver.url}/restart` },
        symbol: SYMBOL,
        trigger,
      });
      rules.push({ condition, id: res.body.id, symbol: SYMBOL, trigger });
    }
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.stop();
    await infra?.stop();
  });

  it('neither loses nor duplicates a trigger when the process is killed mid-stream', async () => {
    const ticks = scriptedTicks();
    const oracle = new RuleEngine();
    for (const rule of rules) oracle.addRule(rule);
    const expected = ticks
      .flatMap((t) => oracle.onTick({ ...t, symbol: SYMBOL }).fired)
      .map((f) => f.idempotencyKey)
      .sort();
    expect(expected.length).toBeGreaterThan(40);

    let last = '';
    let killed: Promise<void> | undefined;
    const published: string[] = [];
    for (const [i, t] of ticks.entries()) {
      last = await publishTick(infra.redis, { ...t, symbol: SYMBOL });
      published.push(last);
      if (i === 150) {
        await waitForCheckpoint(infra.pg, '0-1');
        killed = app!.kill();
      }
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await killed;
    const { rows: before } = await infra.pg.query<{ n: string }>(
      'SELECT count(*) AS n FROM alert_triggers',
    );
    expect(Number(before[0].n)).toBeLessThan(expected.length);

    const { rows: resumedFrom } = await infra.pg.query<{ last_id: string }>(
      'SELECT last_id FROM evaluator_checkpoints',
    );
    app = await startTradingApp(infra, APP_ENV);
    await waitForCheckpoint(infra.pg, last, 30_000);
    await waitForDeliveriesSettled(infra.pg, 30_000);

    const { rows } = await infra.pg.query<{
      idempotency_key: string;
      price: number;
      stream_id: string;
    }>(
      'SELECT idempotency_key, price, stream_id FROM alert_triggers ORDER BY idempotency_key',
    );
    const stored = new Map(rows.map((r) => [r.idempotency_key, r]));
    const wanted = new Set(expected);
    // A mismatch names each key's condition, tick time (ms after T0) and
    // stream entry (its place among the published ones), and the entry the
    // second process resumed after.
    const entry = (id: string | undefined) =>
      id === undefined ? 'none' : `${id} (#${published.indexOf(id)})`;
    const resumed = entry(resumedFrom[0]?.last_id);
    const described = (key: string): string => {
      const rule = rules.find((r) => key.startsWith(`${r.id}:`));
      const row = stored.get(key);
      return `${JSON.stringify(rule?.condition)} at T0+${Number(key.split('@')[1]) - T0}${
        row ? ` (price ${row.price}, entry ${entry(row.stream_id)})` : ''
      }; resumed after ${resumed}`;
    };
    expect({
      extra: rows
        .filter((r) => !wanted.has(r.idempotency_key))
        .map((r) => described(r.idempotency_key)),
      missing: expected.filter((k) => !stored.has(k)).map(described),
    }).toEqual({ extra: [], missing: [] });
    const delivered = receiver
      .delivered('/restart')
      .map((r) => String(r.headers['x-freeride-idempotency-key']));
    expect([...new Set(delivered)].sort()).toEqual(expected);
  });
});
