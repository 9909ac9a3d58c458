import { QUOTE_STREAM_KEY } from '@freeride/contracts';
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
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';

import {
  makeIndicatorRules,
  makeRules,
  makeSeedBars,
  makeTicks,
  percentile,
  prng,
  symbolName,
} from './bench-data';
import { N_INDICATOR_RULES, ROOT, WARMUP_MS, args } from './bench-options';

/**
 * The real app on real PostgreSQL and Redis, ticks published on the quote
 * stream at a fixed rate, a local webhook receiver; latency = receiver time
 * − publish time.
 */
export async function benchTickToWebhook() {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const [postgres, redisServer] = await Promise.all([
    startPostgres(),
    startRedis({ appendOnly: false }),
  ]);
  const pg = new Client({ connectionString: postgres.url });
  await pg.connect();
  const redis = new Redis(redisServer.url);
  const dir = makeTempDir('bench-trading-');
  const latencies: number[] = [];
  // Ticks of the first WARMUP_MS (JIT, connection pools, Lua script loading) are not measured.
  let measureFrom = Number.POSITIVE_INFINITY;
  const published = new Map<number, number>();
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
      const asOf = Number(key.split('@')[1]);
      const sent = published.get(asOf);
      if (sent !== undefined && sent >= measureFrom) latencies.push(now - sent);
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
  let app: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    const { runner } = (await import('node-pg-migrate')) as unknown as {
      runner: (o: object) => Promise<unknown>;
    };
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
    // Cooldowns of 120 s of tick time keep the delivery rate realistic (a few % of ticks).
    const rules = [
      ...makeRules(prng(1), 120),
      ...makeIndicatorRules(N_INDICATOR_RULES, {
        cooldownSeconds: 120,
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
    const port = await getFreePort();
    const built = builtAppCommand('trading');
    app = await startProcess(built.command, built.args, {
      cwd: built.cwd,
      env: {
        OTEL_SDK_DISABLED: 'true',
        TRADING_ADMIN_TOKEN: 'bench-admin-token-0123456789',
        TRADING_DATABASE_URL: postgres.url,
        TRADING_DELIVERY_CONCURRENCY: '32',
        TRADING_EVAL_BLOCK_MS: '20',
        TRADING_GATEWAY_URL: `http://127.0.0.1:${barsPort}`,
        TRADING_LOG_LEVEL: 'warn',
        TRADING_PORT: String(port),
        TRADING_REDIS_URL: redisServer.url,
        TRADING_WEBHOOK_ALLOWLIST: `127.0.0.1:${receiverPort}`,
      },
      logFile: join(dir, 'trading.log'),
      name: 'trading',
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok,
      {
        description: 'trading ready',
        intervalMs: 200,
        timeoutMs: 60_000,
      },
    );
    const total = rate * seconds;
    const ticks = makeTicks(prng(3), total, Date.now());
    const stepMs = 10;
    const perStep = Math.max(1, Math.round((rate * stepMs) / 1000));
    const start = performance.now();
    measureFrom = performance.timeOrigin + start + WARMUP_MS;
    for (let i = 0; i < total; i += perStep) {
      const due = start + (i / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const pipe = redis.pipeline();
      const now = performance.timeOrigin + performance.now();
      for (let j = i; j < Math.min(total, i + perStep); j++) {
        const asOf = ticks.asOf(j);
        published.set(asOf, now);
        const symbol = symbolName(ticks.sym[j]);
        const quote = {
          ageMs: 0,
          asOf: new Date(asOf).toISOString(),
          cached: false,
          price: ticks.price[j],
          provider: 'finnhub',
          receivedAt: new Date(now).toISOString(),
          stale: false,
          symbol,
          volume: Math.round(ticks.volume[j]),
        };
        pipe.xadd(
          QUOTE_STREAM_KEY,
          '*',
          'kind',
          'quote',
          'payload',
          JSON.stringify(quote),
          'producedAt',
          String(Math.round(now)),
          'symbol',
          symbol,
        );
      }
      await pipe.exec();
    }
    const publishSeconds = (performance.now() - start) / 1000;
    const expected = async () =>
      Number(
        (
          await pg.query<{ n: string }>(
            'SELECT count(*) AS n FROM alert_triggers',
          )
        ).rows[0].n,
      );
    await waitFor(
      async () => {
        const { rows: cp } = await pg.query<{ last_id: string }>(
          'SELECT last_id FROM evaluator_checkpoints',
        );
        const last = (
          await redis.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
        )[0]?.[0];
        return cp[0]?.last_id === last && seen.size >= (await expected());
      },
      {
        description: 'all ticks evaluated and delivered',
        intervalMs: 200,
        timeoutMs: 120_000,
      },
    );
    const fired = await expected();
    latencies.sort((x, y) => x - y);
    // Breakdown: publish → trigger committed in PostgreSQL (evaluation share of the latency).
    const { rows: firedRows } = await pg.query<{
      at: string;
      idempotency_key: string;
    }>(
      'SELECT idempotency_key, extract(epoch from fired_at) * 1000 AS at FROM alert_triggers',
    );
    const evalLags = firedRows
      .map((r) => {
        const sent =
          published.get(Number(r.idempotency_key.split('@')[1])) ?? NaN;
        return sent >= measureFrom ? Number(r.at) - sent : NaN;
      })
      .filter((x) => Number.isFinite(x))
      .sort((x, y) => x - y);
    return {
      deliveries: seen.size,
      duplicateDeliveries: duplicates,
      evalP50Ms: Math.round(percentile(evalLags, 50) * 10) / 10,
      evalP99Ms: Math.round(percentile(evalLags, 99) * 10) / 10,
      fired,
      p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      maxMs: Math.round(latencies[latencies.length - 1] * 10) / 10,
      measuredDeliveries: latencies.length,
      publishedTicks: total,
      publishedTicksPerSecond: Math.round(total / publishSeconds),
      rules: rules.length,
    };
  } finally {
    await app?.stop({ timeoutMs: 10_000 });
    receiver.closeAllConnections();
    receiver.close();
    bars.closeAllConnections();
    bars.close();
    redis.disconnect();
    await pg.end();
    await Promise.all([postgres.dispose(), redisServer.dispose()]);
    removeTempDir(dir);
  }
}
