import {
  AlertConditionSchema,
  type AlertWebhookPayload,
} from '@freeride/contracts';
import {
  CONDITION_CASES,
  NaiveSignals,
  randomTicks,
} from '@freeride/trading-rules';

import { getFreePort } from './support/testing';
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

// Minute-aligned, a few minutes ahead of now: bars are predictable.
const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 120_000;
const SYMBOL = 'SIGNAL';
const TICKS = randomTicks(240, 7, T0);

describe('channel, move, indicator and composed conditions on the quote stream', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const created: number[] = [];

  beforeAll(async () => {
    infra = await startInfra();
    await receiver.start();
    // No gateway: seeding bars fails fast and indicators warm up on ticks,
    // exactly as the naive recomputation below assumes.
    app = await startTradingApp(infra, {
      TRADING_GATEWAY_URL: `http://127.0.0.1:${await getFreePort()}`,
    });
    trader = await createTrader(app, 'signals');
    for (const { condition, name } of CONDITION_CASES) {
      const res = await api(app, trader, 'POST', '/v1/alerts', {
        condition,
        delivery: { webhookUrl: `${receiver.url}/every/${name}` },
        symbol: SYMBOL,
        trigger: { cooldownSeconds: 0, mode: 'every_time' },
      });
      created.push(res.status);
    }
    const and = await api(app, trader, 'POST', '/v1/alerts', {
      condition: {
        conditions: [
          {
            interval: '1min',
            ma: 'sma',
            op: 'above',
            period: 5,
            type: 'price_vs_ma',
          },
          { threshold: 100, type: 'price_above' },
        ],
        type: 'all',
      },
      delivery: { webhookUrl: `${receiver.url}/once/and` },
      symbol: SYMBOL,
      trigger: { mode: 'once' },
    });
    created.push(and.status);
    let last = '';
    for (const tick of TICKS) {
      last = await publishTick(infra.redis, { ...tick, symbol: SYMBOL });
    }
    await waitForCheckpoint(infra.pg, last, 60_000);
    await waitForDeliveriesSettled(infra.pg, 90_000);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.stop();
    await infra?.stop();
  });

  it('accepts every condition', () => {
    expect(created).toEqual(created.map(() => 201));
    expect(created).toHaveLength(CONDITION_CASES.length + 1);
  });

  it('fires each condition on exactly the ticks where a naive recomputation says it holds', () => {
    const naive = new NaiveSignals(TICKS);
    for (const { condition, name } of CONDITION_CASES) {
      const parsed = AlertConditionSchema.parse(condition);
      const expected = TICKS.flatMap((t, i) => {
        const v = naive.valueAt(parsed, i);
        return v === undefined ? [] : [[t.asOf, Number(v.toFixed(6))]];
      });
      const got = receiver
        .delivered(`/every/${name}`)
        .map((r) => JSON.parse(r.body) as AlertWebhookPayload)
        .map((p) => [Date.parse(p.tickAsOf), Number(p.value.toFixed(6))])
        .sort((a, b) => a[0] - b[0]);
      expect({ fires: got, name }).toEqual({ fires: expected, name });
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('fires an AND of an indicator and a level condition once, on the first tick both hold', () => {
    const naive = new NaiveSignals(TICKS);
    const first = TICKS.findIndex(
      (t, i) =>
        naive.valueAt(
          {
            interval: '1min',
            ma: 'sma',
            op: 'above',
            period: 5,
            type: 'price_vs_ma',
          },
          i,
        ) !== undefined && t.price > 100,
    );
    expect(first).toBeGreaterThanOrEqual(0);
    const delivered = receiver.delivered('/once/and');
    expect(delivered).toHaveLength(1);
    const payload = JSON.parse(delivered[0].body) as AlertWebhookPayload;
    expect(Date.parse(payload.tickAsOf)).toBe(TICKS[first].asOf);
  });

  it('answers 400 naming the field of an inverted channel', async () => {
    const res = await api<{ message: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      {
        condition: { lower: 110, mode: 'inside', type: 'channel', upper: 100 },
        delivery: { webhookUrl: `${receiver.url}/bad` },
        symbol: SYMBOL,
        trigger: { mode: 'once' },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('condition.lower');
  });

  it('keeps the rules across a listing with their full conditions', async () => {
    const res = await api<{ items: Array<{ condition: { type: string } }> }>(
      app,
      trader,
      'GET',
      '/v1/alerts',
    );
    const types = new Set(res.body.items.map((a) => a.condition.type));
    for (const t of [
      'all',
      'any',
      'bollinger_break',
      'channel',
      'macd_cross',
      'rsi',
    ]) {
      expect(types).toContain(t);
    }
  });
});
