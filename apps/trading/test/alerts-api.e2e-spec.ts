import {
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  startInfra,
  startTradingApp,
} from './support/trading-harness';

const RULE = {
  condition: { threshold: 100, type: 'crossing_up' },
  delivery: { webhookUrl: 'http://127.0.0.1:9/hook' },
  name: 'AAPL breakout',
  symbol: 'AAPL',
  trigger: { mode: 'once' },
};

interface ErrorBody {
  message: string | string[];
  statusCode: number;
}

describe('alerts API', () => {
  let infra: Infra;
  let app: TradingApp;
  let alice: TestTrader;
  let bob: TestTrader;

  beforeAll(async () => {
    infra = await startInfra();
    app = await startTradingApp(infra);
    alice = await createTrader(app, 'alice');
    bob = await createTrader(app, 'bob');
  });

  afterAll(async () => {
    await app?.stop();
    await infra?.stop();
  });

  it('creates, lists, reads and deletes a rule of the calling trader', async () => {
    const created = await api<{ active: boolean; id: string }>(
      app,
      alice,
      'POST',
      '/v1/alerts',
      RULE,
    );
    expect(created.status).toBe(201);
    expect(created.body.active).toBe(true);
    const list = await api<{ items: Array<{ id: string }> }>(
      app,
      alice,
      'GET',
      '/v1/alerts',
    );
    expect(list.body.items.map((a) => a.id)).toContain(created.body.id);
    const one = await api<{ symbol: string }>(
      app,
      alice,
      'GET',
      `/v1/alerts/${created.body.id}`,
    );
    expect(one.body.symbol).toBe('AAPL');
    expect(
      (await api(app, alice, 'DELETE', `/v1/alerts/${created.body.id}`)).status,
    ).toBe(204);
    expect(
      (await api(app, alice, 'GET', `/v1/alerts/${created.body.id}`)).status,
    ).toBe(404);
  });

  it("answers 404 to another trader's alert id and leaves the alert alone", async () => {
    const created = await api<{ id: string }>(
      app,
      alice,
      'POST',
      '/v1/alerts',
      RULE,
    );
    const id = created.body.id;
    expect((await api(app, bob, 'GET', `/v1/alerts/${id}`)).status).toBe(404);
    expect((await api(app, bob, 'DELETE', `/v1/alerts/${id}`)).status).toBe(
      404,
    );
    expect(
      (await api(app, bob, 'GET', `/v1/alerts/${id}/deliveries`)).status,
    ).toBe(404);
    const bobs = await api<{ items: unknown[] }>(app, bob, 'GET', '/v1/alerts');
    expect(bobs.body.items).toEqual([]);
    expect((await api(app, alice, 'GET', `/v1/alerts/${id}`)).status).toBe(200);
  });

  it('rejects a request without a valid API key with 401', async () => {
    expect((await api(app, undefined, 'GET', '/v1/alerts')).status).toBe(401);
    const forged = { ...alice, apiKey: 'frk_not-a-key' };
    expect((await api(app, forged, 'GET', '/v1/alerts')).status).toBe(401);
  });

  it.each([
    ['a missing condition', { ...RULE, condition: undefined }, 'condition'],
    [
      'an unknown condition type',
      { ...RULE, condition: { threshold: 1, type: 'price_near' } },
      'condition.type',
    ],
    [
      'a threshold that is not a number',
      { ...RULE, condition: { threshold: 'high', type: 'price_above' } },
      'condition.threshold',
    ],
    [
      'a negative price threshold',
      { ...RULE, condition: { threshold: -5, type: 'price_above' } },
      'condition.threshold',
    ],
    [
      'a percent move without window',
      {
        ...RULE,
        condition: { direction: 'up', percent: 2, type: 'percent_move' },
      },
      'condition.windowSeconds',
    ],
    [
      'a webhook URL that is not a URL',
      { ...RULE, delivery: { webhookUrl: 'not a url' } },
      'delivery.webhookUrl',
    ],
    [
      'a bad email',
      {
        ...RULE,
        delivery: { email: 'nope', webhookUrl: 'http://127.0.0.1:9/h' },
      },
      'delivery.email',
    ],
    ['a lower-case symbol', { ...RULE, symbol: 'aapl' }, 'symbol'],
    [
      'a cooldown that is missing',
      { ...RULE, trigger: { mode: 'every_time' } },
      'trigger.cooldownSeconds',
    ],
    [
      'an expiry in the past',
      { ...RULE, expiresAt: '2020-01-01T00:00:00Z' },
      'expiresAt',
    ],
  ])('answers 400 naming the field for %s', async (_case, body, field) => {
    const res = await api<ErrorBody>(app, alice, 'POST', '/v1/alerts', body);
    expect(res.status).toBe(400);
    const message = Array.isArray(res.body.message)
      ? res.body.message.join('\n')
      : res.body.message;
    expect(message).toContain(field);
  });

  it('answers 400 to an alert id that is not a UUID', async () => {
    expect((await api(app, alice, 'GET', '/v1/alerts/42')).status).toBe(400);
  });

  it('documents the routes with OpenAPI at /docs', async () => {
    const res = await fetch(`${app.url}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/alerts',
        '/v1/alerts/{id}',
        '/v1/alerts/{id}/deliveries',
      ]),
    );
  });
});
