import type { AlertWebhookPayload } from '@freeride/contracts';

import { SmtpServer } from './support/smtp-server';
import {
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
import { tradingMetricsUsed } from './support/trading-observability';
import { WebhookReceiver } from './support/webhook-receiver';

const T0 = Math.ceil(Date.now() / 60_000) * 60_000 + 120_000;
const TEMPLATE = '{{symbol}} crossed {{threshold}} at {{price}}';

describe('Slack, Discord and email deliveries through the same queue', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  const receiver = new WebhookReceiver();
  const smtp = new SmtpServer();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    infra = await startInfra();
    await Promise.all([receiver.start(), smtp.start()]);
    // The Discord receiver fails twice: retries go through the same queue.
    receiver.respond = (path, attempt) =>
      path === '/discord' && attempt <= 2
        ? 503
        : path === '/discord'
          ? 204
          : 200;
    app = await startTradingApp(infra, {
      TRADING_SMTP_FROM: 'alerts@freeride.test',
      TRADING_SMTP_URL: smtp.url,
    });
    trader = await createTrader(app, 'channels');
    const deliveries = {
      discord: {
        channel: 'discord',
        template: TEMPLATE,
        webhookUrl: `${receiver.url}/discord`,
      },
      email: {
        channel: 'email',
        email: 'trader@example.test',
        template: TEMPLATE,
      },
      slack: {
        channel: 'slack',
        template: TEMPLATE,
        webhookUrl: `${receiver.url}/slack`,
      },
      webhook: { template: TEMPLATE, webhookUrl: `${receiver.url}/webhook` },
    };
    for (const [name, delivery] of Object.entries(deliveries)) {
      const res = await api<{ id: string }>(app, trader, 'POST', '/v1/alerts', {
        condition: { threshold: 100, type: 'crossing_up' },
        delivery,
        symbol: 'CHAN',
        trigger: { mode: 'once' },
      });
      ids[name] = res.body.id;
    }
    await publishTick(infra.redis, { asOf: T0, price: 99, symbol: 'CHAN' });
    const last = await publishTick(infra.redis, {
      asOf: T0 + 1000,
      price: 101.5,
      symbol: 'CHAN',
    });
    await waitForCheckpoint(infra.pg, last);
    await waitFor(
      () =>
        receiver.delivered('/slack').length === 1 &&
        receiver.delivered('/discord').length === 1 &&
        receiver.delivered('/webhook').length === 1 &&
        smtp.messages().length === 1,
      { description: 'all four channels delivered', timeoutMs: 30_000 },
    );
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.stop();
    await smtp.stop();
    await infra?.stop();
  });

  it('posts Slack its text message with the filled-in template', () => {
    const [slack] = receiver.delivered('/slack');
    expect(JSON.parse(slack.body)).toEqual({
      text: 'CHAN crossed 100 at 101.5',
    });
    expect(slack.headers['x-freeride-idempotency-key']).toMatch(
      /^.+:CHAN@\d+$/,
    );
  });

  it('posts Discord its content message once, after two failed attempts', () => {
    const attempts = receiver.requests.filter((r) => r.path === '/discord');
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(JSON.parse(attempts[2].body)).toEqual({
      allowed_mentions: { parse: [] },
      content: 'CHAN crossed 100 at 101.5',
    });
  });

  it('sends the email through the real SMTP server, with the message and the payload', () => {
    const [mail] = smtp.messages();
    expect(mail.headers['to']).toBe('trader@example.test');
    expect(mail.headers['from']).toBe('alerts@freeride.test');
    expect(mail.headers['subject']).toBe('CHAN crossed 100 at 101.5');
    expect(mail.headers['message-id']).toMatch(
      /^<[0-9a-f]{32}@freeride\.trading>$/,
    );
    expect(mail.text).toContain('CHAN crossed 100 at 101.5\n');
    expect(mail.text).toContain(`"alertId": "${ids['email']}"`);
  });

  it('adds the message to the signed webhook payload', () => {
    const payload = JSON.parse(
      receiver.delivered('/webhook')[0].body,
    ) as AlertWebhookPayload;
    expect(payload.message).toBe('CHAN crossed 100 at 101.5');
    expect(payload.price).toBe(101.5);
  });

  it('logs every channel’s delivery on its alert', async () => {
    for (const [name, id] of Object.entries(ids)) {
      const res = await waitFor(
        async () => {
          const r = await api<{
            items: Array<{ attempts: number; status: string }>;
          }>(app, trader, 'GET', `/v1/alerts/${id}/deliveries`);
          return r.body.items[0]?.status === 'delivered'
            ? r.body.items
            : undefined;
        },
        { description: `${name} delivery logged`, timeoutMs: 10_000 },
      );
      expect(res).toHaveLength(1);
    }
  });

  it('refuses an email rule without an address, naming the field', async () => {
    const res = await api<{ message: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      {
        condition: { threshold: 100, type: 'crossing_up' },
        delivery: { channel: 'email' },
        symbol: 'CHAN',
        trigger: { mode: 'once' },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('delivery.email');
  });

  it('exposes every metric the trading rules and dashboard read on /metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const exposed = new Set(
      [...text.matchAll(/^# TYPE (freeride_trading_[a-z_]+) /gm)].map(
        (m) => m[1],
      ),
    );
    expect(tradingMetricsUsed().filter((m) => !exposed.has(m))).toEqual([]);
    expect(text).toMatch(
      /^freeride_trading_tick_to_delivery_seconds_count\S* [1-9]/m,
    );
  });
});
