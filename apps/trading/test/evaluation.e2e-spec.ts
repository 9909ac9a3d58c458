import type { AlertWebhookPayload } from '@freeride/contracts';
import { verifyWebhookSignature } from '@freeride/trading-rules';

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

// Tick times a few minutes ahead of now, aligned to a minute so bars are predictable.
const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 120_000;
const at = (seconds: number) => T0 + seconds * 1000;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

interface Scenario {
  condition: Record<string, unknown>;
  expected: number[];
  expiresInSeconds?: number;
  name: string;
  ticks: Array<{ price: number; s: number; stale?: boolean; volume?: number }>;
  trigger: Record<string, unknown>;
}

const EVERY = { cooldownSeconds: 0, mode: 'every_time' };

/** One symbol per scenario; `expected` lists the delivered values, sorted ascending. */
const SCENARIOS: Scenario[] = [
  {
    condition: { threshold: 100, type: 'crossing_up' },
    expected: [105],
    name: 'GAPUP',
    ticks: [
      { price: 99, s: 0 },
      { price: 105, s: 1 },
      { price: 98, s: 2 },
      { price: 101, s: 3 },
    ],
    trigger: { mode: 'once' },
  },
  {
    condition: { threshold: 100, type: 'crossing_up' },
    expected: [100, 100],
    name: 'EQCROSS',
    ticks: [
      { price: 99.5, s: 0 },
      { price: 100, s: 1 },
      { price: 101, s: 2 },
      { price: 99, s: 3 },
      { price: 100, s: 4 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 100, type: 'price_above' },
    expected: [100.01],
    name: 'EQLEVEL',
    ticks: [
      { price: 100, s: 0 },
      { price: 100.01, s: 1 },
      { price: 100, s: 2 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 50, type: 'crossing_down' },
    expected: [49],
    name: 'OUTOFORDER',
    ticks: [
      { price: 51, s: 1 },
      { price: 49, s: 3 },
      { price: 51, s: 2 },
      { price: 48, s: 4 },
      { price: 49, s: 3 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 10, type: 'price_below' },
    expected: [8, 9],
    name: 'DUPLICATE',
    ticks: [
      { price: 9, s: 1 },
      { price: 9, s: 1 },
      { price: 8, s: 2 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 10, type: 'price_above' },
    expected: [11, 13],
    name: 'PERBAR',
    ticks: [
      { price: 11, s: 0 },
      { price: 12, s: 30 },
      { price: 13, s: 60 },
      { price: 14, s: 61 },
    ],
    trigger: { barSeconds: 60, mode: 'once_per_bar' },
  },
  {
    condition: { threshold: 10, type: 'price_above' },
    expected: [11, 13],
    name: 'COOLDOWN',
    ticks: [
      { price: 11, s: 0 },
      { price: 12, s: 5 },
      { price: 13, s: 10 },
      { price: 14, s: 15 },
    ],
    trigger: { cooldownSeconds: 10, mode: 'every_time' },
  },
  {
    condition: {
      direction: 'up',
      percent: 5,
      type: 'percent_move',
      windowSeconds: 60,
    },
    expected: [5.5],
    name: 'PERCENT',
    ticks: [
      { price: 100, s: 0 },
      { price: 106, s: 30 },
      { price: 105.5, s: 61 },
    ],
    trigger: { mode: 'once' },
  },
  {
    condition: { factor: 3, type: 'volume_spike', windowSeconds: 60 },
    expected: [3.595],
    name: 'VOLUME',
    ticks: [
      { price: 10, s: 0, volume: 100 },
      { price: 10, s: 10, volume: 100 },
      { price: 10, s: 20, volume: 299 },
      { price: 10, s: 30, volume: 598 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 10, type: 'price_above' },
    expected: [11, 12],
    expiresInSeconds: 30,
    name: 'EXPIRY',
    ticks: [
      { price: 11, s: 10 },
      { price: 12, s: 20 },
      { price: 13, s: 40 },
    ],
    trigger: EVERY,
  },
  {
    condition: { threshold: 10, type: 'price_above' },
    expected: [],
    name: 'STALE',
    ticks: [{ price: 11, s: 0, stale: true }],
    trigger: { mode: 'once' },
  },
];

describe('quote-stream evaluation and signed deliveries', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const ids = new Map<string, string>();
  /** Rule changes announced on `freeride_rules` while the ticks were evaluated. */
  const announced: Array<{ active: boolean; id: string }> = [];

  beforeAll(async () => {
    infra = await startInfra();
    await receiver.start();
    app = await startTradingApp(infra);
    trader = await createTrader(app, 'scripted');
    for (const sc of SCENARIOS) {
      const res = await api<{ id: string }>(app, trader, 'POST', '/v1/alerts', {
        condition: sc.condition,
        delivery: { webhookUrl: `${receiver.url}/${sc.name}` },
        ...(sc.expiresInSeconds === undefined
          ? {}
          : { expiresAt: new Date(at(sc.expiresInSeconds)).toISOString() }),
        symbol: sc.name,
        trigger: sc.trigger,
      });
      if (res.status !== 201)
        throw new Error(`create ${sc.name}: ${JSON.stringify(res.body)}`);
      ids.set(sc.name, res.body.id);
    }
    await infra.pg.query('LISTEN freeride_rules');
    infra.pg.on('notification', (msg) => {
      if (msg.channel === 'freeride_rules')
        announced.push(
          JSON.parse(msg.payload ?? '{}') as (typeof announced)[0],
        );
    });
    let last = '';
    for (const sc of SCENARIOS) {
      for (const [i, t] of sc.ticks.entries()) {
        last = await publishTick(infra.redis, {
          asOf: at(t.s),
          price: t.price,
          stale: t.stale,
          symbol: sc.name,
          traceparent:
            sc.name === 'GAPUP' && i === 1
              ? `00-${TRACE_ID}-00f067aa0ba902b7-01`
              : undefined,
          volume: t.volume,
        });
      }
    }
    await waitForCheckpoint(infra.pg, last);
    await waitForDeliveriesSettled(infra.pg);
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.stop();
    await infra?.stop();
  });

  it.each(SCENARIOS.map((sc) => [sc.name, sc] as const))(
    'fires %s exactly on the expected ticks',
    (name, sc) => {
      const values = receiver
        .delivered(`/${name}`)
        .map((r) => (JSON.parse(r.body) as AlertWebhookPayload).value);
      expect(
        values.map((v) => Math.round(v * 1000) / 1000).sort((a, b) => a - b),
      ).toEqual(sc.expected);
    },
  );

  it('signs every delivery with the trader secret and a timestamp', () => {
    expect(receiver.requests.length).toBeGreaterThan(10);
    for (const r of receiver.requests) {
      expect(() =>
        verifyWebhookSignature({
          body: r.body,
          header: r.headers['x-freeride-signature'] as string,
          secret: trader.webhookSecret,
        }),
      ).not.toThrow();
      const payload = JSON.parse(r.body) as AlertWebhookPayload;
      expect(r.headers['x-freeride-idempotency-key']).toBe(
        payload.idempotencyKey,
      );
    }
  });

  it('continues the trace of the quote stream message into the webhook request', () => {
    const [gap] = receiver.delivered('/GAPUP');
    expect(String(gap.headers['traceparent'])).toMatch(
      new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-0[01]$`),
    );
  });

  it('deactivates a fired once rule and an expired rule with their reason', async () => {
    const gap = await api<{ active: boolean; deactivatedReason: string }>(
      app,
      trader,
      'GET',
      `/v1/alerts/${ids.get('GAPUP')}`,
    );
    expect(gap.body).toMatchObject({
      active: false,
      deactivatedReason: 'fired',
    });
    const expired = await api<{ active: boolean; deactivatedReason: string }>(
      app,
      trader,
      'GET',
      `/v1/alerts/${ids.get('EXPIRY')}`,
    );
    expect(expired.body).toMatchObject({
      active: false,
      deactivatedReason: 'expired',
    });
    const cooldown = await api<{ active: boolean; fireCount: number }>(
      app,
      trader,
      'GET',
      `/v1/alerts/${ids.get('COOLDOWN')}`,
    );
    expect(cooldown.body).toMatchObject({ active: true, fireCount: 2 });
  });

  it('announces a rule change only when a rule is deactivated, not on every firing', async () => {
    const { rows } = await infra.pg.query<{ id: string }>(
      'SELECT id FROM alert_rules WHERE NOT active ORDER BY id',
    );
    expect(rows.map((r) => r.id)).toEqual(
      expect.arrayContaining([ids.get('GAPUP'), ids.get('EXPIRY')]),
    );
    // Repeating rules (COOLDOWN fired twice) store their re-arm time on
    // every firing: that is not announced; each deactivation is, once.
    expect(
      announced
        .map((a) => [a.id, a.active])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(rows.map((r) => [r.id, false]));
  });

  it('shows each delivery with its status on the alert', async () => {
    const res = await api<{
      items: Array<{ attempts: number; status: string; value: number }>;
    }>(app, trader, 'GET', `/v1/alerts/${ids.get('PERBAR')}/deliveries`);
    expect(
      res.body.items.map((d) => [d.value, d.status, d.attempts]).sort(),
    ).toEqual([
      [11, 'delivered', 1],
      [13, 'delivered', 1],
    ]);
  });
});
