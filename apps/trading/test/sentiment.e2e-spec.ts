import {
  type OpenAiFake,
  createFinnhubFake,
  startOpenAiFake,
} from './support/fakes';
import { type GatewayProcess, startGateway } from './support/gateway';
import {
  ADMIN_TOKEN,
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  startInfra,
  startTradingApp,
  waitForDeliveriesSettled,
} from './support/trading-harness';
import { WebhookReceiver } from './support/webhook-receiver';

const admin = { apiKey: ADMIN_TOKEN, id: 'admin', webhookSecret: '' };

interface RefreshBody {
  headlines: number;
  requests: number;
  scored: number;
  signals: Array<{ score: number; symbol: string }>;
  triggers: number;
  unique: number;
}

describe('sentiment pipeline: gateway news to batched OpenAI scoring to alerts', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  let openai: OpenAiFake;
  let gateway: GatewayProcess;
  const finnhub = createFinnhubFake({ keys: ['fh-key'] });
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    infra = await startInfra();
    await Promise.all([finnhub.start(), receiver.start()]);
    openai = await startOpenAiFake();
    gateway = await startGateway(infra, finnhub);
    app = await startTradingApp(infra, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.baseUrl,
      TRADING_GATEWAY_URL: gateway.url,
      TRADING_SENTIMENT_BATCH_SIZE: '25',
    });
    trader = await createTrader(app, 'sentiment');
    for (const [type, path] of [
      ['sentiment_below', '/bearish'],
      ['sentiment_above', '/bullish'],
    ]) {
      await api(app, trader, 'POST', '/v1/alerts', {
        condition: { threshold: 0.5, type },
        delivery: { webhookUrl: `${receiver.url}${path}` },
        symbol: 'AAPL',
        trigger: { mode: 'once' },
      });
    }
  });

  afterAll(async () => {
    await app?.stop();
    await gateway?.stop();
    await openai?.stop();
    await finnhub.stop();
    await receiver.stop();
    await infra?.stop();
  });

  it('scores the news of several symbols in one model request and fires the matching sentiment rule', async () => {
    const res = await api<RefreshBody>(
      app,
      admin,
      'POST',
      '/v1/admin/sentiment/refresh',
      {
        symbols: ['AAPL', 'MSFT'],
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      headlines: 6,
      requests: 1,
      scored: 6,
      triggers: 1,
      unique: 6,
    });
    expect(openai.stats.chatCompletions).toBe(1);
    expect(openai.stats.itemsScored).toBe(6);
    await waitForDeliveriesSettled(infra.pg);
    expect(receiver.delivered('/bearish')).toHaveLength(1);
    expect(receiver.delivered('/bullish')).toHaveLength(0);
  });

  it('serves the cached signal and keeps scored stories in Redis with an expiry', async () => {
    const signal = await api<{ score: number; stories: number }>(
      app,
      trader,
      'GET',
      '/v1/sentiment/AAPL',
    );
    expect(signal.body).toMatchObject({ score: 0, stories: 3 });
    const keys = await infra.redis.keys('freeride:trading:sentiment:story:*');
    expect(keys).toHaveLength(6);
    expect(await infra.redis.ttl(keys[0])).toBeGreaterThan(0);
  });

  it('makes no model request when the news has not changed', async () => {
    const res = await api<RefreshBody>(
      app,
      admin,
      'POST',
      '/v1/admin/sentiment/refresh',
      {
        symbols: ['AAPL', 'MSFT'],
      },
    );
    expect(res.body).toMatchObject({ requests: 0, scored: 0, unique: 6 });
    expect(openai.stats.chatCompletions).toBe(1);
  });

  it('waits out a 429 rate limit and still scores', async () => {
    openai.force429(1);
    const res = await api<RefreshBody>(
      app,
      admin,
      'POST',
      '/v1/admin/sentiment/refresh',
      {
        symbols: ['NVDA'],
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ requests: 1, scored: 3 });
    expect(openai.stats.rateLimited).toBe(1);
  });

  it('backfills through the Batch API', async () => {
    const res = await api<{ batchId: string; scored: number }>(
      app,
      admin,
      'POST',
      '/v1/admin/sentiment/backfill',
      { symbols: ['TSLA', 'AMZN'] },
    );
    expect(res.status).toBe(200);
    expect(res.body.scored).toBe(6);
    expect(res.body.batchId).toMatch(/^batch_/);
    expect(openai.stats.batches).toBe(1);
    expect(openai.stats.files).toBe(1);
  });

  it('stops at insufficient_quota without retrying and answers 503', async () => {
    await fetch(`${openai.baseUrl.replace(/\/v1$/, '')}/__control`, {
      body: JSON.stringify({ quota: true }),
      method: 'POST',
    });
    const before = openai.stats.rateLimited;
    const res = await api<{ error: string; statusCode: number }>(
      app,
      admin,
      'POST',
      '/v1/admin/sentiment/refresh',
      { symbols: ['META'] },
    );
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('SENTIMENT_MODEL_UNAVAILABLE');
    expect(openai.stats.rateLimited).toBe(before + 1);
  });
});
