import { verifyWebhookSignature } from '@freeride/trading-rules';
import type { AlertWebhookPayload } from '@freeride/contracts';

import {
  ADMIN_TOKEN,
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  publishTick,
  startInfra,
  startTradingApp,
  waitFor,
  waitForCheckpoint,
} from './support/trading-harness';
import { WebhookReceiver } from './support/webhook-receiver';

const T0 = Math.ceil(Date.now() / 60_000) * 60_000;

describe('webhook deliveries with retries and a dead-letter list', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  let downIsUp = false;

  beforeAll(async () => {
    infra = await startInfra();
    await receiver.start();
    receiver.respond = (path, attempt) => {
      if (path === '/flaky') return attempt <= 3 ? 500 : 200;
      if (path === '/down') return downIsUp ? 200 : 503;
      return 200;
    };
    app = await startTradingApp(infra, { TRADING_DELIVERY_ATTEMPTS: '4' });
    trader = await createTrader(app, 'retries');
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.stop();
    await infra?.stop();
  });

  async function fireOnce(symbol: string, path: string): Promise<string> {
    const rule = await api<{ id: string }>(app, trader, 'POST', '/v1/alerts', {
      condition: { threshold: 10, type: 'price_above' },
      delivery: { webhookUrl: `${receiver.url}${path}` },
      symbol,
      trigger: { mode: 'once' },
    });
    const id = await publishTick(infra.redis, { asOf: T0, price: 11, symbol });
    await waitForCheckpoint(infra.pg, id);
    return rule.body.id;
  }

  it('delivers once, with a valid signature, to a receiver that fails three times', async () => {
    const alertId = await fireOnce('FLAKY', '/flaky');
    await waitFor(() => receiver.delivered('/flaky').length === 1, {
      description: 'flaky receiver accepted',
      timeoutMs: 15_000,
    });
    const attempts = receiver.requests.filter((r) => r.path === '/flaky');
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const keys = new Set(
      attempts.map((r) => r.headers['x-freeride-idempotency-key']),
    );
    expect(keys.size).toBe(1);
    const [ok] = receiver.delivered('/flaky');
    expect(() =>
      verifyWebhookSignature({
        body: ok.body,
        header: ok.headers['x-freeride-signature'] as string,
        secret: trader.webhookSecret,
      }),
    ).not.toThrow();
    const payload = JSON.parse(ok.body) as AlertWebhookPayload;
    expect(payload.alertId).toBe(alertId);
    // firedAt is the stored row's, one clock for every attempt and replay.
    const { rows } = await infra.pg.query<{ fired_at: Date }>(
      'SELECT fired_at FROM alert_triggers WHERE idempotency_key = $1',
      [payload.idempotencyKey],
    );
    expect(payload.firedAt).toBe(rows[0].fired_at.toISOString());
    const deliveries = await waitFor(
      async () => {
        const res = await api<{
          items: Array<{ attempts: number; status: string }>;
        }>(app, trader, 'GET', `/v1/alerts/${alertId}/deliveries`);
        return res.body.items[0]?.status === 'delivered'
          ? res.body.items
          : undefined;
      },
      { description: 'delivery status delivered' },
    );
    expect(deliveries).toEqual([
      expect.objectContaining({ attempts: 4, status: 'delivered' }),
    ]);
    // The backoff delays themselves are unit-tested (libs/trading-rules backoff.spec.ts):
    // wall-clock gaps between attempts depend on the machine's load.
  });

  it('moves a delivery that exhausts its retries to the dead-letter list and replays it', async () => {
    const alertId = await fireOnce('DOWN', '/down');
    const admin = { apiKey: ADMIN_TOKEN, id: 'admin', webhookSecret: '' };
    const dead = await waitFor(
      async () => {
        const res = await api<{
          items: Array<{ attempts: number; ruleId: string; triggerId: string }>;
        }>(app, admin, 'GET', '/v1/admin/deliveries/dead');
        return res.body.items.find((d) => d.ruleId === alertId);
      },
      { description: 'delivery in the dead-letter list', timeoutMs: 15_000 },
    );
    expect(dead.attempts).toBe(4);
    expect(receiver.requests.filter((r) => r.path === '/down')).toHaveLength(4);
    expect(
      (
        await api(
          app,
          trader,
          'POST',
          `/v1/admin/deliveries/${dead.triggerId}/replay`,
        )
      ).status,
    ).toBe(401);

    downIsUp = true;
    const replay = await api(
      app,
      admin,
      'POST',
      `/v1/admin/deliveries/${dead.triggerId}/replay`,
    );
    expect(replay.status).toBe(202);
    await waitFor(() => receiver.delivered('/down').length === 1, {
      description: 'replayed delivery accepted',
      timeoutMs: 15_000,
    });
    const status = await waitFor(
      async () => {
        const res = await api<{ items: Array<{ status: string }> }>(
          app,
          trader,
          'GET',
          `/v1/alerts/${alertId}/deliveries`,
        );
        return res.body.items[0]?.status === 'delivered'
          ? res.body.items[0]
          : undefined;
      },
      { description: 'replayed delivery delivered' },
    );
    expect(status.status).toBe('delivered');
    const again = await api(
      app,
      admin,
      'POST',
      `/v1/admin/deliveries/${dead.triggerId}/replay`,
    );
    expect(again.status).toBe(409);
  });
});
