import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis } from './support/testing';

const ROOT = join(__dirname, '..', '..', '..');
const TRADING_KEY = 'trading-client-key-0123456789';
const PYTHON_KEY = 'python-client-key-0123456789';

// One gateway per file (see api-keys.e2e-spec.ts).
describe('market gateway security: client keys, quotas, negative cache (real Redis, provider fakes)', () => {
  let redis: RedisServer;
  let fakes: Fakes;
  let gateway: Gateway;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    fakes = await startFakes();
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        GATEWAY_CLIENT_KEYS: `trading=${TRADING_KEY},python=${PYTHON_KEY}`,
        GATEWAY_CLIENT_QUOTA: '6',
        GATEWAY_RATE_LIMIT_PER_ADDRESS: '40',
      }),
    );
  });

  afterAll(async () => {
    await gateway.stop();
    await fakes.stop();
    await redis.dispose();
  });

  it('answers 401 without a client key or with a wrong one; probes stay open', async () => {
    const none = await request(gateway.url).get('/v1/quotes/AAPL').expect(401);
    expect(none.body).toMatchObject({ message: 'missing bearer client key' });
    await request(gateway.url)
      .get('/v1/quotes/AAPL')
      .set(as('not-a-client-key-0123456789'))
      .expect(401);
    await request(gateway.url).get('/health/live').expect(200);
    expect(fakes.finnhub.totalCalls + fakes.polygon.totalCalls).toBe(0);
  });

  it('serves the Python source with its client key from config', async () => {
    const venv = execFileSync('bash', ['sources/python/ensure-venv.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() as string;
    // Asynchronous: the gateway answers from this very process.
    const run = (token?: string) =>
      promisify(execFile)(
        join(venv, 'bin/python'),
        ['-m', 'freeride_fetch', '--symbols', 'IBM', '--iterations', '1'],
        {
          cwd: join(ROOT, 'sources/python'),
          encoding: 'utf8',
          env: {
            ...process.env,
            FREERIDE_GATEWAY_TOKEN: token ?? '',
            FREERIDE_GATEWAY_URL: gateway.url,
            OTEL_SDK_DISABLED: 'true',
          },
          timeout: 60_000,
        },
      );
    // The script logs to stderr and exits 0 either way: its log line says what happened.
    expect((await run(PYTHON_KEY)).stderr).toMatch(/Quote IBM price=/);
    expect((await run()).stderr).toMatch(/Failed to fetch quote for IBM/);
  });

  it('serves a known client and remembers an unknown symbol without asking providers again', async () => {
    await request(gateway.url)
      .get('/v1/quotes/AAPL')
      .set(as(TRADING_KEY))
      .expect(200);
    const first = await request(gateway.url)
      .get('/v1/quotes/ZZZZ')
      .set(as(TRADING_KEY))
      .expect(404);
    expect(first.body).toMatchObject({ error: 'SYMBOL_NOT_FOUND' });
    const calls =
      fakes.finnhub.totalCalls +
      fakes.polygon.totalCalls +
      fakes.alphavantage.totalCalls;
    const again = await request(gateway.url)
      .get('/v1/quotes/ZZZZ')
      .set(as(PYTHON_KEY))
      .expect(404);
    expect(again.body).toMatchObject({
      details: { cached: true, symbol: 'ZZZZ' },
      error: 'SYMBOL_NOT_FOUND',
    });
    expect(
      fakes.finnhub.totalCalls +
        fakes.polygon.totalCalls +
        fakes.alphavantage.totalCalls,
    ).toBe(calls);
  });

  it("limits each client to its quota with Retry-After, without touching another client's", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(429); i++) {
      statuses.push(
        (await request(gateway.url).get('/v1/quotes/MSFT').set(as(TRADING_KEY)))
          .status,
      );
    }
    expect(statuses).toContain(429);
    const limited = await request(gateway.url)
      .get('/v1/quotes/MSFT')
      .set(as(TRADING_KEY))
      .expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(gateway.url)
      .get('/v1/quotes/MSFT')
      .set(as(PYTHON_KEY))
      .expect(200);
  });

  it('limits floods of wrong keys per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45 && !statuses.includes(429); i++) {
      statuses.push(
        (
          await request(gateway.url)
            .get('/v1/quotes/AAPL')
            .set(as(`wrong-key-${i}-0123456789`))
        ).status,
      );
    }
    expect(statuses).toContain(429);
  });

  it('never logs a client key or a provider key', () => {
    const text = gateway.logs.join('\n');
    expect(gateway.logs.length).toBeGreaterThan(0);
    for (const secret of [
      TRADING_KEY,
      PYTHON_KEY,
      'fh-key-1',
      'fh-key-2',
      'pg-key',
      'av-key',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
