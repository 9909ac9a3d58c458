import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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

const T0 = Math.ceil(Date.now() / 60_000) * 60_000;

interface LocalServer {
  hits: string[];
  port: number;
  server: Server;
  url: string;
}

/** A loopback server recording each request; `answer` picks status and headers. */
async function startServer(
  answer: (path: string) => [number, Record<string, string>] = () => [200, {}],
): Promise<LocalServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    req.resume();
    req.on('end', () => {
      const [status, headers] = answer(req.url ?? '/');
      res.writeHead(status, headers).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { hits, port, server, url: `http://127.0.0.1:${port}` };
}

describe('trading security: SSRF guard on webhook URLs, bad input', () => {
  let infra: Infra;
  let app: TradingApp;
  let trader: TestTrader;
  /** Stands for an internal service (Elasticsearch, cloud metadata...). */
  let internal: LocalServer;
  /** The allowlisted receiver; `/redirect` sends to the internal service. */
  let receiver: LocalServer;
  const start = () =>
    startTradingApp(infra, {
      TRADING_DELIVERY_ATTEMPTS: '2',
      TRADING_WEBHOOK_ALLOWLIST: `127.0.0.1:${receiver.port}`,
    });

  beforeAll(async () => {
    infra = await startInfra();
    internal = await startServer();
    receiver = await startServer((path) =>
      path === '/redirect'
        ? [302, { location: `${internal.url}/logs/_doc` }]
        : [200, {}],
    );
    // Only the receiver's address and port are opened (as the demo does).
    app = await start();
    trader = await createTrader(app, 'ssrf');
  });

  afterAll(async () => {
    await app?.stop();
    for (const s of [receiver, internal]) {
      s?.server.closeAllConnections();
      await new Promise((resolve) => s?.server.close(resolve));
    }
    await infra?.stop();
  });

  const rule = (webhookUrl: string, symbol = 'SSRF') => ({
    condition: { threshold: 10, type: 'price_above' },
    delivery: { webhookUrl },
    symbol,
    trigger: { mode: 'once' },
  });

  it.each([
    ['IPv4 loopback', (p: number) => `http://127.0.0.1:${p}/logs/_doc`],
    ['decimal IPv4', (p: number) => `http://2130706433:${p}/`],
    ['octal IPv4', (p: number) => `http://0177.0.0.1:${p}/`],
    ['hex IPv4', (p: number) => `http://0x7f.0.0.1:${p}/`],
    ['0.0.0.0', (p: number) => `http://0.0.0.0:${p}/`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/`],
    ['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`],
    ['link-local metadata', () => 'http://169.254.169.254/latest/meta-data'],
    ['private range', () => 'http://10.0.0.5/hook'],
    ['CGNAT', () => 'http://100.64.0.1/hook'],
    ['localhost', (p: number) => `http://localhost:${p}/`],
    [
      'localhost.localdomain',
      (p: number) => `http://localhost.localdomain:${p}/`,
    ],
    ['*.localhost', (p: number) => `http://es.localhost:${p}/`],
  ])('refuses a %s webhook with a 400 naming the field', async (_, url) => {
    const res = await api<{ error: string; message: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      rule(url(internal.port)),
    );
    // The DTO already refuses the odd spellings as URLs; the guard refuses the rest.
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toMatch(/delivery\.webhookUrl/);
    expect(internal.hits).toEqual([]);
  });

  it('accepts the allowlisted receiver, not another port on the same address', async () => {
    const ok = await api(
      app,
      trader,
      'POST',
      '/v1/alerts',
      rule(`${receiver.url}/ok`, 'OKAY'),
    );
    expect(ok.status).toBe(201);
    const other = await api(
      app,
      trader,
      'POST',
      '/v1/alerts',
      rule(`http://127.0.0.1:${internal.port}/`),
    );
    expect(other.status).toBe(400);
  });

  it('checks again at delivery time and never follows a redirect to loopback', async () => {
    // A rule stored before the check existed (or whose name now resolves elsewhere):
    // written straight into PostgreSQL, it must still never reach the internal server.
    const stored = await api<{ id: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      rule(`${receiver.url}/redirect`, 'REDIR'),
    );
    expect(stored.status).toBe(201);
    const rebound = await api<{ id: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      rule(`${receiver.url}/rebound`, 'REBND'),
    );
    await infra.pg.query(
      `UPDATE alert_rules SET delivery = jsonb_set(delivery, '{webhookUrl}', to_jsonb($1::text)) WHERE id = $2`,
      [`http://0177.0.0.1:${internal.port}/rebound`, rebound.body.id],
    );
    // Restart so the evaluator loads the rewritten rule from PostgreSQL.
    await app.stop();
    app = await start();
    const a = await publishTick(infra.redis, {
      asOf: T0,
      price: 11,
      symbol: 'REDIR',
    });
    const b = await publishTick(infra.redis, {
      asOf: T0,
      price: 11,
      symbol: 'REBND',
    });
    await waitForCheckpoint(infra.pg, a);
    await waitForCheckpoint(infra.pg, b);
    const statusOf = async (id: string) => {
      const res = await api<{
        items: Array<{
          error?: string;
          lastStatusCode?: number;
          status: string;
        }>;
      }>(app, trader, 'GET', `/v1/alerts/${id}/deliveries`);
      return res.body.items[0];
    };
    const redirected = await waitFor(
      async () => {
        const d = await statusOf(stored.body.id);
        return d?.status === 'dead' ? d : undefined;
      },
      { description: 'redirected delivery dead', timeoutMs: 30_000 },
    );
    expect(redirected.lastStatusCode).toBe(302);
    const refused = await waitFor(
      async () => {
        const d = await statusOf(rebound.body.id);
        return d?.status === 'dead' ? d : undefined;
      },
      { description: 'rebound delivery dead', timeoutMs: 30_000 },
    );
    expect(JSON.stringify(refused)).toMatch(/loopback/);
    expect(receiver.hits.filter((p) => p === '/redirect')).toHaveLength(2);
    expect(internal.hits).toEqual([]);
  });

  it('answers 400 naming the field for a NUL character, not 500', async () => {
    const res = await api<{ message: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts',
      {
        ...rule(`${receiver.url}/ok`, 'NULL'),
        name: 'bad\u0000name',
      },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.message)).toMatch(
      /name: must not contain the NUL/,
    );
    const admin = await fetch(`${app.url}/v1/admin/traders`, {
      body: JSON.stringify({ name: 'x\u0000y' }),
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/json',
      },
      method: 'POST',
    });
    expect(admin.status).toBe(400);
  });

  it('answers 413 for a JSON body over the limit and 400 for malformed JSON', async () => {
    const big = await fetch(`${app.url}/v1/alerts`, {
      body: JSON.stringify({ name: 'x'.repeat(2_000_000) }),
      headers: {
        authorization: `Bearer ${trader.apiKey}`,
        'content-type': 'application/json',
      },
      method: 'POST',
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: 'entity.too.large' });
    const broken = await fetch(`${app.url}/v1/alerts`, {
      body: '{"symbol":',
      headers: {
        authorization: `Bearer ${trader.apiKey}`,
        'content-type': 'application/json',
      },
      method: 'POST',
    });
    expect(broken.status).toBe(400);
  });
});

describe('trading security: rate limits shared by instances through Redis', () => {
  let infra: Infra;
  let apps: TradingApp[] = [];

  beforeAll(async () => {
    infra = await startInfra();
    const env = {
      TRADING_EVAL_ENABLED: 'false',
      TRADING_RATE_LIMIT_PER_ADDRESS: '40',
      TRADING_RATE_LIMIT_PER_KEY: '5',
    };
    // One after the other: both run the migrations on start.
    apps = [await startTradingApp(infra, env)];
    apps.push(await startTradingApp(infra, env));
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await infra?.stop();
  });

  it('limits one key across both instances, not another key', async () => {
    const a = await createTrader(apps[0], 'limited-a');
    const b = await createTrader(apps[1], 'limited-b');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await api(apps[i % 2], a, 'GET', '/v1/alerts')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const over = await fetch(`${apps[1].url}/v1/alerts`, {
      headers: { authorization: `Bearer ${a.apiKey}` },
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api(apps[0], b, 'GET', '/v1/alerts')).status).toBe(200);
  });

  it('limits floods of wrong keys per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45 && !statuses.includes(429); i++) {
      const res = await fetch(`${apps[i % 2].url}/v1/alerts`, {
        headers: { authorization: `Bearer frk_wrong_${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    // Probes are never limited.
    expect((await fetch(`${apps[0].url}/health/live`)).status).toBe(200);
  });
});
