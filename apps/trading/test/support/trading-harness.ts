import { QUOTE_STREAM_KEY, partitionOf } from '@freeride/contracts';

import { type Cluster, Redis } from 'ioredis';
import { join } from 'node:path';
import { Client } from 'pg';

import {
  type ManagedProcess,
  type PostgresServer,
  type RedisServer,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startPostgres,
  startProcess,
  startRedis,
  waitFor,
} from './testing';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/** Real PostgreSQL and Redis for one test file. */
export interface Infra {
  pg: Client;
  postgres: PostgresServer;
  redis: Redis;
  redisServer: RedisServer;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const [postgres, redisServer] = await Promise.all([
    startPostgres(),
    startRedis(),
  ]);
  const pg = new Client({ connectionString: postgres.url });
  await pg.connect();
  const redis = new Redis(redisServer.url);
  return {
    pg,
    postgres,
    redis,
    redisServer,
    async stop() {
      await pg.end();
      redis.disconnect();
      await Promise.all([postgres.dispose(), redisServer.dispose()]);
    },
  };
}

/** The trading app running as a real process (the production build, dist/apps/trading). */
export interface TradingApp {
  proc: ManagedProcess;
  url: string;
  /** SIGKILL: no shutdown hooks run. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTradingApp(
  infra: Infra,
  env: Record<string, string> = {},
): Promise<TradingApp> {
  const port = await getFreePort();
  const dir = makeTempDir('trading-e2e-');
  const { args, command, cwd } = builtAppCommand('trading');
  const proc = await startProcess(command, args, {
    cwd,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await getFreePort()}`,
      TRADING_ADMIN_TOKEN: ADMIN_TOKEN,
      TRADING_DATABASE_URL: infra.postgres.url,
      TRADING_DELIVERY_BACKOFF_BASE_MS: '50',
      TRADING_DELIVERY_BACKOFF_MAX_MS: '400',
      TRADING_EVAL_BLOCK_MS: '50',
      TRADING_LOG_LEVEL: 'warn',
      TRADING_PORT: String(port),
      TRADING_REDIS_URL: infra.redisServer.url,
      // The tests' receivers listen on loopback; the SSRF e2e narrows this.
      TRADING_WEBHOOK_ALLOWLIST: '127.0.0.1',
      ...env,
    },
    logFile: join(dir, 'trading.log'),
    name: 'trading',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health/ready`)).ok, {
      description: 'trading /health/ready',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
  } catch (err) {
    await proc.stop({ timeoutMs: 2000 });
    throw new Error(`trading did not start:\n${proc.tail(40)}`, { cause: err });
  }
  return {
    async kill() {
      await proc.stop({ signal: 'SIGKILL', timeoutMs: 5000 });
    },
    proc,
    async stop() {
      await proc.stop({ timeoutMs: 10_000 });
      removeTempDir(dir);
    },
    url,
  };
}

/** A trader created through the operator route. */
export interface TestTrader {
  apiKey: string;
  id: string;
  webhookSecret: string;
}

export async function createTrader(
  app: TradingApp,
  name: string,
): Promise<TestTrader> {
  const res = await fetch(`${app.url}/v1/admin/traders`, {
    body: JSON.stringify({ name }),
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      'content-type': 'application/json',
    },
    method: 'POST',
  });
  if (res.status !== 201)
    throw new Error(`create trader: ${res.status} ${await res.text()}`);
  return (await res.json()) as TestTrader;
}

/** Calls the API as a trader; returns status and parsed JSON body. */
export async function api<T = unknown>(
  app: TradingApp,
  trader: TestTrader | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ body: T; status: number }> {
  const res = await fetch(`${app.url}${path}`, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: {
      ...(trader ? { authorization: `Bearer ${trader.apiKey}` } : {}),
      'content-type': 'application/json',
    },
    method,
  });
  const text = await res.text();
  return {
    body: (text ? JSON.parse(text) : undefined) as T,
    status: res.status,
  };
}

/** Publishes a tick on the quote stream exactly as the gateway does; returns the entry id. */
export async function publishTick(
  redis: Redis | Cluster,
  tick: {
    asOf: number;
    price: number;
    stale?: boolean;
    symbol: string;
    traceparent?: string;
    volume?: number;
  },
): Promise<string> {
  const now = Date.now();
  const quote = {
    ageMs: Math.max(0, now - tick.asOf),
    asOf: new Date(tick.asOf).toISOString(),
    cached: false,
    price: tick.price,
    provider: 'finnhub',
    receivedAt: new Date(now).toISOString(),
    stale: tick.stale ?? false,
    symbol: tick.symbol,
    ...(tick.volume === undefined ? {} : { volume: tick.volume }),
  };
  const fields = [
    'kind',
    'quote',
    'payload',
    JSON.stringify(quote),
    'producedAt',
    String(now),
    'symbol',
    tick.symbol,
    ...(tick.traceparent ? ['traceparent', tick.traceparent] : []),
  ];
  return (await redis.xadd(QUOTE_STREAM_KEY, '*', ...fields)) as string;
}

/** Waits until the evaluator has committed every entry up to `streamId`. */
export async function waitForCheckpoint(
  pg: Client,
  streamId: string,
  timeoutMs = 20_000,
): Promise<void> {
  const [ms, seq] = streamId.split('-').map(Number);
  await waitFor(
    async () => {
      const { rows } = await pg.query<{ last_id: string }>(
        'SELECT last_id FROM evaluator_checkpoints WHERE stream = $1',
        [QUOTE_STREAM_KEY],
      );
      if (!rows[0]) return false;
      const [m, s] = rows[0].last_id.split('-').map(Number);
      return m > ms || (m === ms && s >= seq);
    },
    { description: `checkpoint ${streamId}`, intervalMs: 50, timeoutMs },
  );
}

/** Waits until no delivery is pending or retrying. */
export async function waitForDeliveriesSettled(
  pg: Client,
  timeoutMs = 20_000,
): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM alert_triggers WHERE delivery_status IN ('pending', 'retrying')`,
      );
      return rows[0].n === '0';
    },
    { description: 'deliveries settled', intervalMs: 50, timeoutMs },
  );
}
export { waitFor } from './testing';

/** The first symbols `<prefix><n>` in partition 0 and in partition 1 of 2. */
export function symbolsOfPartitions(prefix: string): [string, string] {
  const of = (p: number) => {
    for (let n = 0; ; n++)
      if (partitionOf(`${prefix}${n}`, 2) === p) return `${prefix}${n}`;
  };
  return [of(0), of(1)];
}
