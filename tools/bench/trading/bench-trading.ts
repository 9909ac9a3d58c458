/* eslint-disable no-console -- a benchmark CLI: it prints its figures */
/**
 * Trading alerts benchmark (issue 5).
 *
 * 1. Evaluation: 10,000 rules over 1,000 symbols, a replay of 1,000,000 ticks
 *    through the indexed RuleEngine; the naive scan of all rules per tick runs
 *    on a prefix of the same replay (it is ~1000x slower) and must fire the
 *    same rules.
 * 2. Tick → webhook: the real app (node + @swc-node/register) on real
 *    PostgreSQL and Redis, ticks published on the quote stream at a fixed rate,
 *    a local webhook receiver; latency = receiver time − publish time.
 * 3. Sentiment: 10,000 replayed headlines (same stories from several feeds,
 *    minor rewrites, material updates) through SentimentPipeline against the
 *    OpenAI fake, vs one request per headline; scores compared per headline.
 *
 * usage: npm run bench:trading -- [--ticks 1000000] [--rate 5000] [--seconds 20]
 *          [--naive-ticks 20000] [--headlines 10000] [--json FILE] [--skip-e2e]
 */
import {
  type EvaluableRule,
  MemorySentimentCache,
  NaiveRuleEngine,
  type NewsStory,
  RuleEngine,
  SentimentPipeline,
  buildSentimentRequest,
  parseSentimentContent,
  storyKey,
} from '@freeride/trading-rules';
import type { AlertCondition, AlertTrigger } from '@freeride/contracts';
import { QUOTE_STREAM_KEY } from '@freeride/contracts';
import {
  getFreePort,
  makeTempDir,
  removeTempDir,
  startPostgres,
  startProcess,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { Redis } from 'ioredis';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OpenAI } from 'openai';
import { Client } from 'pg';

import { startOpenAiFake } from '../../fakes/openai';

const ROOT = join(__dirname, '..', '..', '..');
const WARMUP_MS = 2000;

const { values: args } = parseArgs({
  options: {
    headlines: { default: '10000', type: 'string' },
    json: { type: 'string' },
    'naive-ticks': { default: '20000', type: 'string' },
    rate: { default: '5000', type: 'string' },
    rules: { default: '10000', type: 'string' },
    seconds: { default: '20', type: 'string' },
    'skip-e2e': { default: false, type: 'boolean' },
    symbols: { default: '1000', type: 'string' },
    ticks: { default: '1000000', type: 'string' },
  },
});
const N_RULES = Number(args.rules);
const N_SYMBOLS = Number(args.symbols);
const N_TICKS = Number(args.ticks);

/** Deterministic PRNG (LCG) so every run replays the same data. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

const symbolName = (i: number) => `S${String(i).padStart(4, '0')}`;

/** 10 rules per symbol, thresholds around the symbol's start price. */
function makeRules(
  random: () => number,
  cooldownSeconds: number,
): EvaluableRule[] {
  const rules: EvaluableRule[] = [];
  for (let i = 0; i < N_RULES; i++) {
    const sym = i % N_SYMBOLS;
    const base = 100 + (sym % 50);
    const th = Math.round(base * (0.97 + random() * 0.06) * 100) / 100;
    let condition: AlertCondition;
    switch (i % 6) {
      case 0:
        condition = { threshold: th, type: 'crossing_up' };
        break;
      case 1:
        condition = { threshold: th, type: 'crossing_down' };
        break;
      case 2:
        condition = {
          threshold: Math.round(base * 1.03 * 100) / 100,
          type: 'price_above',
        };
        break;
      case 3:
        condition = {
          threshold: Math.round(base * 0.97 * 100) / 100,
          type: 'price_below',
        };
        break;
      case 4:
        condition = {
          direction: random() < 0.5 ? 'up' : 'down',
          percent: 1 + random(),
          type: 'percent_move',
          windowSeconds: 30,
        };
        break;
      default:
        condition = { factor: 3, type: 'volume_spike', windowSeconds: 60 };
    }
    const trigger: AlertTrigger =
      i % 10 === 9 ? { mode: 'once' } : { cooldownSeconds, mode: 'every_time' };
    rules.push({
      condition,
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      symbol: symbolName(sym),
      trigger,
    });
  }
  return rules;
}

/** Ticks round-robin over symbols, 1 ms of tick time apart, random walk prices. */
function makeTicks(random: () => number, count: number, t0: number) {
  const sym = new Int32Array(count);
  const price = new Float64Array(count);
  const volume = new Float64Array(count);
  const last = Float64Array.from(
    { length: N_SYMBOLS },
    (_, i) => 100 + (i % 50),
  );
  for (let i = 0; i < count; i++) {
    const s = i % N_SYMBOLS;
    last[s] = Math.max(1, last[s] * (1 + (random() - 0.5) * 0.004));
    sym[i] = s;
    price[i] = Math.round(last[s] * 100) / 100;
    volume[i] = random() < 0.01 ? 1000 + random() * 4000 : 100 + random() * 200;
  }
  return { asOf: (i: number) => t0 + i, count, price, sym, volume };
}

function benchEvaluation() {
  const rules = makeRules(prng(1), 60);
  const ticks = makeTicks(prng(2), N_TICKS, Date.UTC(2026, 0, 5, 14, 30));
  const indexed = new RuleEngine();
  for (const r of rules) indexed.addRule(r);
  let fires = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ticks.count; i++) {
    fires += indexed.onTick({
      asOf: ticks.asOf(i),
      price: ticks.price[i],
      symbol: symbolName(ticks.sym[i]),
      volume: ticks.volume[i],
    }).fired.length;
  }
  const indexedSeconds = Number(process.hrtime.bigint() - start) / 1e9;

  const naiveTicks = Math.min(N_TICKS, Number(args['naive-ticks']));
  const a = new RuleEngine();
  const b = new NaiveRuleEngine();
  for (const r of rules) {
    a.addRule(r);
    b.addRule(r);
  }
  let mismatches = 0;
  let prefixFires = 0;
  let naiveNs = 0n;
  for (let i = 0; i < naiveTicks; i++) {
    const t = {
      asOf: ticks.asOf(i),
      price: ticks.price[i],
      symbol: symbolName(ticks.sym[i]),
      volume: ticks.volume[i],
    };
    const ra = a.onTick(t);
    const t0 = process.hrtime.bigint();
    const rb = b.onTick(t);
    naiveNs += process.hrtime.bigint() - t0;
    prefixFires += ra.fired.length;
    const ka = ra.fired
      .map((f) => f.idempotencyKey)
      .sort()
      .join();
    const kb = rb.fired
      .map((f) => f.idempotencyKey)
      .sort()
      .join();
    if (ka !== kb) mismatches++;
  }
  const naiveSeconds = Number(naiveNs) / 1e9;
  return {
    fires,
    indexedSeconds,
    indexedTicksPerSecond: Math.round(N_TICKS / indexedSeconds),
    naiveMismatchedTicks: mismatches,
    naivePrefixFires: prefixFires,
    naiveSeconds,
    naiveTicks,
    naiveTicksPerSecond: Math.round(naiveTicks / naiveSeconds),
    rules: N_RULES,
    speedup: Math.round(N_TICKS / indexedSeconds / (naiveTicks / naiveSeconds)),
    symbols: N_SYMBOLS,
    ticks: N_TICKS,
  };
}

async function benchTickToWebhook() {
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
    const rules = makeRules(prng(1), 120);
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
    app = await startProcess(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/trading/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          OTEL_SDK_DISABLED: 'true',
          TRADING_ADMIN_TOKEN: 'bench-admin-token-0123456789',
          TRADING_DATABASE_URL: postgres.url,
          TRADING_DELIVERY_CONCURRENCY: '32',
          TRADING_EVAL_BLOCK_MS: '20',
          TRADING_LOG_LEVEL: 'warn',
          TRADING_PORT: String(port),
          TRADING_REDIS_URL: redisServer.url,
          TRADING_WEBHOOK_ALLOWLIST: `127.0.0.1:${receiverPort}`,
        },
        logFile: join(dir, 'trading.log'),
        name: 'trading',
      },
    );
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
      rules: N_RULES,
    };
  } finally {
    await app?.stop({ timeoutMs: 10_000 });
    receiver.closeAllConnections();
    receiver.close();
    redis.disconnect();
    await pg.end();
    await Promise.all([postgres.dispose(), redisServer.dispose()]);
    removeTempDir(dir);
  }
}

const POS = [
  'beats',
  'record',
  'surge',
  'upgrade',
  'growth',
  'rally',
  'wins',
  'raises',
];
const NEG = [
  'misses',
  'cuts',
  'probe',
  'recall',
  'lawsuit',
  'downgrade',
  'falls',
  'resigns',
];
const FILLER = [
  'quarter',
  'guidance',
  'shares',
  'market',
  'analysts',
  'sales',
  'outlook',
  'deal',
  'china',
  'chips',
  'cloud',
  'ads',
];
const FEEDS = ['Reuters', 'Yahoo', 'MarketWatch', 'Benzinga', 'SeekingAlpha'];

/** Headlines as feeds serve them over 20 polls: unique stories, feed copies, rewrites, material updates. */
function makeHeadlines(total: number) {
  const random = prng(9);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const polls: Array<Array<{ story: NewsStory; symbol: string }>> = Array.from(
    { length: 20 },
    () => [],
  );
  let n = 0;
  let storyNo = 0;
  while (n < total) {
    const symbol = symbolName(Math.floor(random() * 200));
    const words = [
      pick(POS),
      pick(NEG),
      pick(FILLER),
      pick(FILLER),
      pick(FILLER),
    ].filter(() => random() < 0.7);
    const headline = `${symbol} ${words.join(' ')} story ${storyNo++}`;
    const summary = `${pick(FILLER)} ${pick(FILLER)} ${random() < 0.5 ? pick(POS) : pick(NEG)} ${pick(FILLER)}`;
    const poll = Math.floor(random() * 15);
    const copies = 1 + Math.floor(random() * 4);
    for (let c = 0; c < copies && n < total; c++, n++) {
      const feed = FEEDS[c % FEEDS.length];
      const variant =
        c === 0
          ? headline
          : c % 2
            ? `${headline.toUpperCase()} - ${feed}`
            : `${headline}!`;
      polls[poll + Math.floor(random() * 2)].push({
        story: {
          datetime: poll,
          headline: variant,
          id: `${feed}-${storyNo}-${c}`,
          source: feed,
          summary: c % 3 === 2 ? `${summary}.` : summary,
        },
        symbol,
      });
    }
    if (random() < 0.05 && n < total) {
      // A material update a few polls later: new facts in the summary.
      polls[Math.min(19, poll + 3)].push({
        story: {
          datetime: poll + 3,
          headline,
          id: `upd-${storyNo}`,
          source: 'Reuters',
          summary: `${summary} but ${pick(NEG)} ${pick(NEG)} ${pick(FILLER)} after ${pick(NEG)} ${pick(FILLER)}`,
        },
        symbol,
      });
      n++;
    }
  }
  return polls;
}

async function benchSentiment() {
  // A limit high enough that the one-request-per-headline baseline is not throttled.
  const fake = await startOpenAiFake({ requestsPerMinute: 1_000_000 });
  const client = new OpenAI({
    apiKey: 'bench',
    baseURL: fake.baseUrl,
    maxRetries: 2,
  });
  const score = async (
    items: Array<{ id: string; symbol: string; text: string }>,
  ) => {
    const c = await client.chat.completions.create(
      buildSentimentRequest('gpt-4o-mini', items),
    );
    return parseSentimentContent(
      c.choices[0].message.content,
      items.map((i) => i.id),
    );
  };
  try {
    const polls = makeHeadlines(Number(args.headlines));
    const headlines = polls.reduce((s, p) => s + p.length, 0);
    let requests = 0;
    const pipeline = new SentimentPipeline({
      batchSize: 25,
      cache: new MemorySentimentCache(),
      scorer: (items) => {
        requests++;
        return score([...items]);
      },
    });
    const pipelineScore = new Map<string, number>();
    const t0 = performance.now();
    for (const poll of polls) {
      const bySymbol = new Map<string, NewsStory[]>();
      for (const h of poll)
        bySymbol.set(h.symbol, [...(bySymbol.get(h.symbol) ?? []), h.story]);
      const run = await pipeline.run(
        [...bySymbol].map(([symbol, stories]) => ({ stories, symbol })),
      );
      for (const h of poll) {
        const s = run.symbols
          .get(h.symbol)
          ?.stories.get(storyKey(h.symbol, h.story.headline));
        if (s) pipelineScore.set(h.story.id as string, s.score);
      }
    }
    const pipelineSeconds = (performance.now() - t0) / 1000;
    // Baseline: one request per headline (the legacy plugin), 8 in flight.
    const all = polls.flat();
    let naiveRequests = 0;
    let agree = 0;
    const t1 = performance.now();
    for (let i = 0; i < all.length; i += 8) {
      const part = all.slice(i, i + 8);
      const scores = await Promise.all(
        part.map(async (h) => {
          naiveRequests++;
          const [s] = await score([
            {
              id: 'one',
              symbol: h.symbol,
              text: `${h.story.headline} ${h.story.summary}`,
            },
          ]);
          return s.score;
        }),
      );
      part.forEach((h, j) => {
        if (pipelineScore.get(h.story.id as string) === scores[j]) agree++;
      });
    }
    const naiveSeconds = (performance.now() - t1) / 1000;
    return {
      headlines,
      naiveRequests,
      naiveSeconds: Math.round(naiveSeconds * 10) / 10,
      pipelineRequests: requests,
      pipelineSeconds: Math.round(pipelineSeconds * 10) / 10,
      requestReduction: Math.round((naiveRequests / requests) * 10) / 10,
      sameScore: agree,
      sameScorePercent: Math.round((agree / headlines) * 10_000) / 100,
    };
  } finally {
    await fake.stop();
  }
}

async function main(): Promise<void> {
  // The servers of @freeride/testing do not keep the event loop alive (they
  // are unref'd for tests): hold it open until the benchmark is done.
  const keepAlive = setInterval(() => undefined, 1000);
  console.log(
    `evaluation: ${N_RULES} rules over ${N_SYMBOLS} symbols, ${N_TICKS} ticks`,
  );
  const evaluation = benchEvaluation();
  console.table([
    {
      engine: 'indexed (RuleEngine)',
      fires: evaluation.fires,
      seconds: evaluation.indexedSeconds.toFixed(2),
      ticks: evaluation.ticks,
      'ticks/s': evaluation.indexedTicksPerSecond,
    },
    {
      engine: 'naive scan (NaiveRuleEngine)',
      fires: evaluation.naivePrefixFires,
      seconds: evaluation.naiveSeconds.toFixed(2),
      ticks: evaluation.naiveTicks,
      'ticks/s': evaluation.naiveTicksPerSecond,
    },
  ]);
  console.log(
    `speed-up ${evaluation.speedup}x; naive vs indexed mismatched ticks on the prefix: ${evaluation.naiveMismatchedTicks}`,
  );

  let endToEnd: Awaited<ReturnType<typeof benchTickToWebhook>> | undefined;
  if (!args['skip-e2e']) {
    console.log(
      `tick → webhook: ${args.rate} ticks/s for ${args.seconds} s through the app`,
    );
    endToEnd = await benchTickToWebhook();
    console.table([endToEnd]);
  }
  console.log(`sentiment: ${args.headlines} headlines`);
  const sentiment = await benchSentiment();
  console.table([sentiment]);
  if (args.json) {
    writeFileSync(
      args.json,
      JSON.stringify({ endToEnd, evaluation, sentiment }, null, 2),
    );
    console.log(`wrote ${args.json}`);
  }
  clearInterval(keepAlive);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
