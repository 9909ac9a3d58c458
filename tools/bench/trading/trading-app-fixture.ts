import {
  QUOTE_STREAM_KEY,
  type Quote,
  quoteStreamFields,
} from '@freeride/contracts';
import {
  builtAppCommand,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startPostgres,
  startProcess,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';

import {
  makeIndicatorRules,
  makeRules,
  makeSeedBars,
  prng,
} from './bench-data';
import { N_INDICATOR_RULES, ROOT, args } from './bench-options';

/** Cooldown (tick time) of every rule of the app benches: a few % of ticks fire. */
const COOLDOWN_SECONDS = 120;

/** A delivery the receiver got: its idempotency key and when it arrived (epoch ms). */
export type OnDelivery = (key: string, at: number) => void;

/**
 * The built trading app on real PostgreSQL and Redis, holding the 10,000
 * plain and the indicator rules of the in-process runs (cooldown 120 s of
 * tick time), its indicator rules seeded from a local `/v1/bars` endpoint,
 * its webhooks going to a local receiver.
 */
export interface TradingAppFixture {
  /** Whether every tick of the stream is evaluated and every trigger delivered. */
  caughtUp(): Promise<boolean>;
  /** Stops the app and every server. */
  dispose(): Promise<void>;
  /** Distinct deliveries received, and how many keys arrived twice. */
  deliveries(): { distinct: number; duplicates: number };
  /** CPU seconds (user + system) the running app's processes have used so far (Linux `/proc`; NaN when not running). */
  appCpuSeconds(): number;
  pg: Client;
  redis: Redis;
  rules: number;
  /**
   * Starts the app (after the stream holds what it should); resolves when
   * it is ready. `instances` > 1: that many evaluator processes, each with
   * a fixed share of the symbol partitions (`TRADING_EVAL_PARTITIONS`).
   */
  start(env?: Record<string, string>, instances?: number): Promise<void>;
  /** Stored checkpoints (one per evaluator instance): how many, and the least and the most advanced (`0-N`'s N). */
  checkpoint(): Promise<{ max: number; min: number; rows: number }>;
  /** Stops the app (its state stays in PostgreSQL and Redis for the next start). */
  stop(): Promise<void>;
}

/** A quote of the benches' replay as the gateway serves it. */
export function benchQuote(
  symbol: string,
  asOf: number,
  price: number,
  volume: number,
  now: number,
): Quote {
  return {
    ageMs: 0,
    asOf: new Date(asOf).toISOString(),
    cached: false,
    price,
    provider: 'finnhub',
    receivedAt: new Date(now).toISOString(),
    stale: false,
    symbol,
    volume: Math.round(volume),
  };
}

/** A quote stream entry of one quote as the gateway writes it (`XADD` arguments after the key and id). */
export function quoteFields(
  symbol: string,
  asOf: number,
  price: number,
  volume: number,
  now: number,
): string[] {
  return quoteStreamFields(
    [benchQuote(symbol, asOf, price, volume, now)],
    Math.round(now),
  );
}

export async function startTradingAppFixture(
  onDelivery: OnDelivery,
): Promise<TradingAppFixture> {
  const [postgres, redisServer] = await Promise.all([
    startPostgres(),
    startRedis({ appendOnly: false }),
  ]);
  const pg = new Client({ connectionString: postgres.url });
  await pg.connect();
  const redis = new Redis(redisServer.url);
  const dir = makeTempDir('bench-trading-');
  // BENCH_TRADING_NODE_OPTIONS: node options of the apps only (not the bench's).
  const appNodeOptions = [
    process.env['BENCH_TRADING_NODE_OPTIONS'] ?? '',
    args['profile-app']
      ? `--cpu-prof --cpu-prof-dir=${args['profile-app']}`
      : '',
  ]
    .join(' ')
    .trim();
  const seen = new Set<string>();
  let duplicates = 0;
  const receiverPort = await getFreePort();
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.timeOrigin + performance.now();
      const key = String(req.headers['x-freeride-idempotency-key']);
      if (seen.has(key)) duplicates++;
      seen.add(key);
      onDelivery(key, now);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(receiverPort, '127.0.0.1', r));
  // The gateway's `/v1/bars`, as the app seeds indicator rules from it.
  const seeds = makeSeedBars(prng(4), Date.now());
  const barsPort = await getFreePort();
  const bars = createServer((req, res) => {
    const symbol = decodeURIComponent(
      (req.url ?? '').split('?')[0].split('/').pop() ?? '',
    );
    const series = seeds[Number(symbol.slice(1))] ?? [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        bars: series.map((b) => ({
          close: b.close,
          start: new Date(b.start).toISOString(),
        })),
      }),
    );
  });
  await new Promise<void>((r) => bars.listen(barsPort, '127.0.0.1', r));
  // ESM-only; typed by apps/trading's declaration (see this project's tsconfig).
  const { runner } = await import('node-pg-migrate');
  await runner({
    databaseUrl: postgres.url,
    dir: join(ROOT, 'apps/trading/migrations'),
    direction: 'up',
    log: () => undefined,
    migrationsTable: 'pgmigrations',
  });
  const { rows } = await pg.query<{ id: string }>(
    `INSERT INTO traders (name, api_key_hash, webhook_secret) VALUES ('bench', 'x', 'whsec_bench') RETURNING id`,
  );
  const rules = [
    ...makeRules(prng(1), COOLDOWN_SECONDS),
    ...makeIndicatorRules(N_INDICATOR_RULES, {
      cooldownSeconds: COOLDOWN_SECONDS,
      mode: 'every_time',
    }),
  ];
  const url = `http://127.0.0.1:${receiverPort}/hook`;
  for (let i = 0; i < rules.length; i += 1000) {
    const part = rules.slice(i, i + 1000);
    await pg.query(
      `INSERT INTO alert_rules (id, trader_id, symbol, condition, trigger, delivery)
       SELECT id, $1, s, c, t, $2 FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) AS x(id, s, c, t)`,
      [
        rows[0].id,
        JSON.stringify({ webhookUrl: url }),
        part.map((r) => r.id),
        part.map((r) => r.symbol),
        part.map((r) => JSON.stringify(r.condition)),
        part.map((r) => JSON.stringify(r.trigger)),
      ],
    );
  }
  const triggers = async () =>
    Number(
      (
        await pg.query<{ n: string }>(
          'SELECT count(*) AS n FROM alert_triggers',
        )
      ).rows[0].n,
    );
  let apps: Array<Awaited<ReturnType<typeof startProcess>>> = [];
  const stopApps = async () => {
    await Promise.all(apps.map((a) => a.stop({ timeoutMs: 10_000 })));
    apps = [];
  };
  return {
    async caughtUp() {
      const { rows: cp } = await pg.query<{ last_id: string }>(
        'SELECT last_id FROM evaluator_checkpoints',
      );
      const last = (
        await redis.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
      )[0]?.[0];
      return (
        cp.length >= apps.length &&
        cp.every((r) => r.last_id === last) &&
        seen.size >= (await triggers())
      );
    },
    async checkpoint() {
      const { rows } = await pg.query<{ last_id: string }>(
        'SELECT last_id FROM evaluator_checkpoints',
      );
      const seqs = rows.map((r) => Number(r.last_id.split('-')[1]));
      return {
        max: Math.max(...seqs),
        min: Math.min(...seqs),
        rows: rows.length,
      };
    },
    appCpuSeconds() {
      if (apps.length === 0) return NaN;
      let seconds = 0;
      for (const app of apps) {
        // Fields 14 and 15 of /proc/<pid>/stat: utime and stime, in clock ticks (100 a second).
        const stat = readFileSync(`/proc/${app.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        seconds += (Number(fields[11]) + Number(fields[12])) / 100;
      }
      return seconds;
    },
    deliveries: () => ({ distinct: seen.size, duplicates }),
    async dispose() {
      await stopApps();
      receiver.closeAllConnections();
      receiver.close();
      bars.closeAllConnections();
      bars.close();
      redis.disconnect();
      await pg.end();
      await Promise.all([postgres.dispose(), redisServer.dispose()]);
      removeTempDir(dir);
    },
    pg,
    redis,
    rules: rules.length,
    stop: stopApps,
    async start(env = {}, instances = 1) {
      // All at once: with a backlog, none starts evaluating before the others.
      await Promise.all(
        Array.from({ length: instances }, (_, i) =>
          startApp(i, instances, env),
        ),
      );
    },
  };

  async function startApp(
    instance: number,
    instances: number,
    env: Record<string, string>,
  ) {
    const port = await getFreePort();
    const built = builtAppCommand('trading');
    // Listed at once: it evaluates (and uses CPU) before it answers ready.
    const app = await startProcess(built.command, built.args, {
      cwd: built.cwd,
      env: {
        ...(appNodeOptions ? { NODE_OPTIONS: appNodeOptions } : {}),
        OTEL_SDK_DISABLED: 'true',
        TRADING_ADMIN_TOKEN: 'bench-admin-token-0123456789',
        TRADING_DATABASE_URL: postgres.url,
        TRADING_DELIVERY_CONCURRENCY: args['delivery-concurrency'],
        TRADING_GATEWAY_URL: `http://127.0.0.1:${barsPort}`,
        TRADING_LOG_LEVEL: 'warn',
        TRADING_PORT: String(port),
        TRADING_REDIS_URL: redisServer.url,
        TRADING_WEBHOOK_ALLOWLIST: `127.0.0.1:${receiverPort}`,
        ...(instances > 1
          ? {
              TRADING_EVAL_PARTITIONS: String(instance),
              TRADING_EVAL_PARTITION_COUNT: String(instances),
            }
          : {}),
        ...env,
      },
      // BENCH_TRADING_LOG_DIR=DIR keeps the apps' logs.
      logFile: join(
        process.env['BENCH_TRADING_LOG_DIR'] ?? dir,
        `trading-${instance}.log`,
      ),
      name: `trading-${instance}`,
    });
    apps.push(app);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok,
      { description: 'trading ready', intervalMs: 200, timeoutMs: 120_000 },
    );
  }
}
