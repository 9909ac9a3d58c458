import {
  type Quote,
  partitionOf,
  quoteStreamFields,
} from '@freeride/contracts';
import type { HealthRegistry } from '@freeride/observability';
import { RuleEngine } from '@freeride/trading-rules';

import { ConsoleLogger, Logger } from '@nestjs/common';

import { loadConfig } from '../config/trading.config';
import type { DeliveryJobData } from '../deliveries/delivery-job';
import type { DeliveryQueueService } from '../deliveries/delivery-queue.service';
import type { EvaluationMetrics } from './evaluation.metrics';
import type {
  EvaluationRepository,
  PendingFire,
  StoredTrigger,
} from './evaluation.repository';
import { EvaluationService } from './evaluation.service';
import type { QuoteStreamReader, StreamEntry } from './quote-stream.reader';
import type { RuleBookService } from './rule-book.service';
import type { ActiveRuleRecord, TradingRule } from './trading-rule';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const T0 = Date.UTC(2026, 10, 24, 15, 0, 0);

/** Orders stream ids `<ms>-<seq>`. */
function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/**
 * The quote stream, in memory: a read answers the entries after its id, or
 * waits (up to its block time) for an append; `close` fails pending reads.
 */
class FakeStream implements Pick<
  QuoteStreamReader,
  'close' | 'lastId' | 'range' | 'readAfter'
> {
  closed = false;
  /** Closes so far: a close fails the reads pending then; a later read opens anew. */
  private closes = 0;
  readonly entries: StreamEntry[] = [];
  /** The id after which each read asked. */
  readonly reads: string[] = [];
  /** How many entries each read asked for. */
  readonly counts: number[] = [];
  private wake: Array<() => void> = [];

  append(...entries: StreamEntry[]): void {
    this.entries.push(...entries);
    for (const w of this.wake.splice(0)) w();
  }

  close(): void {
    this.closed = true;
    this.closes++;
    for (const w of this.wake.splice(0)) w();
  }

  lastId(): Promise<string> {
    return Promise.resolve(this.entries.at(-1)?.[0] ?? '0-0');
  }

  range(from: string, to: string, count: number): Promise<StreamEntry[]> {
    const exclusive = from.startsWith('(');
    const lo = exclusive
      ? from.slice(1)
      : from.includes('-')
        ? from
        : `${from}-0`;
    return Promise.resolve(
      this.entries
        .filter((e) => {
          const c = compareIds(e[0], lo);
          return (exclusive ? c > 0 : c >= 0) && compareIds(e[0], to) <= 0;
        })
        .slice(0, count),
    );
  }

  async readAfter(
    afterId: string,
    count: number,
    blockMs: number,
  ): Promise<StreamEntry[]> {
    this.reads.push(afterId);
    this.counts.push(count);
    const deadline = Date.now() + blockMs;
    const opened = this.closes;
    for (;;) {
      if (this.closes !== opened) throw new Error('Connection is closed.');
      const after = this.entries
        .filter((e) => compareIds(e[0], afterId) > 0)
        .slice(0, count);
      if (after.length > 0) return after;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Two symbols, one in each of two partitions: `own` in partition 0, `other` in 1. */
function splitSymbols(): { other: string; own: string } {
  const symbols = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META'];
  return {
    other: symbols.find((s) => partitionOf(s, 2) === 1)!,
    own: symbols.find((s) => partitionOf(s, 2) === 0)!,
  };
}

/** A stream entry as the gateway writes it. */
/** A quote of tick time T0 + `seconds` s, as the gateway writes it. */
function quoteAt(
  seconds: number,
  symbol: string,
  price: number,
  stale = false,
): Quote {
  const asOf = new Date(T0 + seconds * 1000).toISOString();
  return {
    ageMs: 0,
    asOf,
    cached: false,
    price,
    provider: 'finnhub',
    receivedAt: asOf,
    stale,
    symbol,
    volume: 10,
  };
}

function tick(
  id: number,
  symbol: string,
  price: number,
  extra: { stale?: boolean; traceparent?: string } = {},
): StreamEntry {
  return [
    `${id}-0`,
    quoteStreamFields(
      [quoteAt(id, symbol, price, extra.stale)],
      T0 + id * 1000,
      [extra.traceparent],
    ),
  ];
}

function rule(
  id: string,
  symbol: string,
  condition: TradingRule['condition'],
): TradingRule {
  return {
    condition,
    delivery: { channel: 'webhook', webhookUrl: 'https://hooks.example.com/a' },
    id,
    name: `rule ${id}`,
    symbol,
    traderId: 'trader-1',
    trigger: { cooldownSeconds: 0, mode: 'every_time' },
  };
}

const RULE_ID = '00000000-0000-4000-8000-000000000001';

type CommitBatch = Parameters<EvaluationRepository['commit']>[0];

/** Waits (event-loop turns and short sleeps, up to 5 s) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function setup(
  env: Record<string, string> = {},
  state: {
    checkpoint?: string;
    pending?: Array<{ firedAt: Date; id: string }>;
  } = {},
) {
  const config = loadConfig({
    TRADING_ADMIN_TOKEN: 'admin-token-0123456789',
    TRADING_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/trading',
    TRADING_EVAL_BLOCK_MS: '5',
    ...env,
  });
  const engine = new RuleEngine<TradingRule>();
  const armed = new Set<string>();
  const ruleBook = {
    add: jest.fn((r: TradingRule, rearmAt?: number) => {
      engine.addRule(r, { rearmAt });
      armed.add(r.id);
      return Promise.resolve();
    }),
    engine,
    ids: () => [...armed],
    remove: (id: string) => {
      engine.removeRule(id);
      armed.delete(id);
    },
  };
  const active: ActiveRuleRecord[] = [];
  let stored = 0;
  const repository = {
    checkpoint: jest.fn(() => Promise.resolve(state.checkpoint)),
    // By default every firing is new: PostgreSQL stores it and answers its row.
    commit: jest.fn((batch: CommitBatch): Promise<StoredTrigger[]> =>
      Promise.resolve(
        batch.fires.map((f) => ({
          firedAt: new Date(T0 + 60_000),
          id: `trigger-${++stored}`,
          idempotencyKey: f.fire.idempotencyKey,
        })),
      ),
    ),
    loadActive: jest.fn(() => Promise.resolve(active)),
    pendingTriggers: jest.fn(() => Promise.resolve(state.pending ?? [])),
  };
  const deliveries = {
    enqueue: jest.fn((_jobs: DeliveryJobData[]) => Promise.resolve()),
    recover: jest.fn(() => Promise.resolve({ enqueued: 0, reconciled: 0 })),
  };
  const health = { register: jest.fn() };
  const metrics = {
    batchSeconds: { startTimer: () => () => 0 },
    evalLag: { observe: jest.fn() },
    fired: { inc: jest.fn() },
    observeRuleBook: jest.fn(),
    rules: { set: jest.fn() },
    ticks: {
      inc: jest.fn((_labels: { outcome: string }, _by: number) => undefined),
    },
  };
  const stream = new FakeStream();
  const service = new EvaluationService(
    config,
    deliveries as unknown as DeliveryQueueService,
    health as unknown as HealthRegistry,
    metrics as unknown as EvaluationMetrics,
    repository as unknown as EvaluationRepository,
    ruleBook as unknown as RuleBookService,
    stream as unknown as QuoteStreamReader,
  );
  /** Ticks counted under `outcome` so far. */
  const counted = (outcome: string) =>
    metrics.ticks.inc.mock.calls
      .filter(([labels]) => labels.outcome === outcome)
      .reduce((n, [, by]) => n + by, 0);
  /** The checkpoint ids committed so far. */
  const checkpoints = () =>
    repository.commit.mock.calls.map(([b]) => b.checkpoint?.id);
  return {
    active,
    checkpoints,
    counted,
    deliveries,
    engine,
    health,
    metrics,
    repository,
    ruleBook,
    service,
    stream,
  };
}

describe('EvaluationService', () => {
  // The failures these tests provoke are logged by design.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });
  let running: EvaluationService | undefined;
  afterEach(async () => {
    await running?.onApplicationShutdown();
    running = undefined;
  });

  it('arms the active rules of the symbols it owns, with their cooldowns, and reports its health', async () => {
    const ctx = setup({
      TRADING_EVAL_PARTITIONS: '0',
      TRADING_EVAL_PARTITION_COUNT: '2',
    });
    // Two symbols, one in each of the two partitions.
    const { other, own } = splitSymbols();
    ctx.active.push(
      {
        ...rule('r-own', own, { threshold: 1, type: 'price_above' }),
        rearmAt: T0,
      },
      rule('r-other', other, { threshold: 1, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    expect(ctx.ruleBook.add).toHaveBeenCalledTimes(1);
    expect(ctx.ruleBook.add).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'r-own' }),
      T0,
    );
    expect(ctx.metrics.rules.set).toHaveBeenCalledWith(1);
    expect(ctx.health.register).toHaveBeenCalledWith(
      'quote-stream',
      expect.any(Function),
    );
  });

  it('arms rules but never reads the stream when evaluation is off', async () => {
    const ctx = setup({ TRADING_EVAL_ENABLED: 'false' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 1, type: 'price_above' }),
    );
    await ctx.service.onApplicationBootstrap();
    expect(ctx.engine.ruleCount).toBe(1);
    expect(ctx.stream.reads).toEqual([]);
    expect(ctx.health.register).not.toHaveBeenCalled();
  });

  it('starts after the newest entry on a first start from the latest tick', async () => {
    const ctx = setup();
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    ctx.stream.append(tick(1, 'AAPL', 101), tick(2, 'AAPL', 102));
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    await until(() => ctx.stream.reads.length >= 2);
    expect(ctx.stream.reads[0]).toBe('2-0');
    // At most the checkpoint is stored; the ticks before it fire nothing.
    for (const [batch] of ctx.repository.commit.mock.calls) {
      expect(batch.fires).toEqual([]);
    }
  });

  it('commits a firing with the checkpoint, then enqueues its delivery built from the stored row', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'crossing_up' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(
      tick(1, 'AAPL', 99),
      tick(2, 'AAPL', 101, { traceparent: TRACEPARENT }),
    );
    await until(() => ctx.deliveries.enqueue.mock.calls.length === 1);

    const [batch] = ctx.repository.commit.mock.calls[0] as [
      { checkpoint: { id: string; stream: string }; fires: PendingFire[] },
    ];
    expect(batch.checkpoint).toEqual({ id: '2-0', stream: 'freeride:quotes' });
    expect(batch.fires.map((f) => f.fire.idempotencyKey)).toEqual([
      `${RULE_ID}:AAPL@${T0 + 2000}`,
    ]);
    expect(batch.fires[0].streamId).toBe('2-0');
    const [jobs] = ctx.deliveries.enqueue.mock.calls[0];
    expect(jobs).toEqual([
      {
        target: {
          delivery: {
            channel: 'webhook',
            webhookUrl: 'https://hooks.example.com/a',
          },
          payload: expect.objectContaining({
            alertId: RULE_ID,
            firedAt: new Date(T0 + 60_000).toISOString(),
            idempotencyKey: `${RULE_ID}:AAPL@${T0 + 2000}`,
            price: 101,
            symbol: 'AAPL',
            tickAsOf: new Date(T0 + 2000).toISOString(),
          }),
          traderId: 'trader-1',
        },
        tickReceivedAt: expect.any(Number),
        // No tracing SDK in a unit test: the tick's own context is carried on.
        traceparent: TRACEPARENT,
        triggerId: 'trigger-1',
      },
    ]);
    expect(ctx.metrics.fired.inc).toHaveBeenCalledWith(1);
    expect(ctx.counted('evaluated')).toBe(2);
  });

  it('counts invalid, stale and out-of-order entries and evaluates only the good ones', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    const invalid: StreamEntry = ['1-0', ['kind', 'quote', 'payload', '{oops']];
    const older = tick(2, 'AAPL', 101);
    const newer = tick(3, 'AAPL', 101);
    ctx.stream.append(
      invalid,
      tick(4, 'AAPL', 150, { stale: true }),
      // Out of order: tick time 3 s is evaluated before 2 s arrives.
      ['5-0', newer[1]],
      ['6-0', older[1]],
    );
    await until(() => ctx.checkpoints().includes('6-0'));
    expect(ctx.counted('invalid')).toBe(1);
    expect(ctx.counted('stale')).toBe(1);
    expect(ctx.counted('out_of_order')).toBe(1);
    expect(ctx.counted('evaluated')).toBe(1);
    const fired = ctx.repository.commit.mock.calls.flatMap(([b]) =>
      b.fires.map((f) => f.fire.price),
    );
    // The stale 150 never fired.
    expect(fired).toEqual([101]);
  });

  /** Partition 0 of 2, a price rule on its symbol, started. */
  async function startSplit() {
    const ctx = setup({
      TRADING_EVAL_PARTITIONS: '0',
      TRADING_EVAL_PARTITION_COUNT: '2',
      TRADING_EVAL_START: 'earliest',
    });
    const { other, own } = splitSymbols();
    ctx.active.push(
      rule(RULE_ID, own, { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    return { ctx, other, own };
  }

  it('with split partitions, leaves the entries of the other partitions unparsed and uncounted', async () => {
    const { ctx, other, own } = await startSplit();
    ctx.stream.append(
      // Invalid entries: the other partition's is its owner's to count.
      ['1-0', ['kind', 'quote', 'payload', '{oops', 'symbol', other]],
      ['2-0', ['kind', 'quote', 'payload', '{oops', 'symbol', own]],
      tick(3, other, 150),
      tick(4, own, 101),
    );
    await until(() => ctx.checkpoints().includes('4-0'));
    expect(ctx.counted('invalid')).toBe(1);
    expect(ctx.counted('evaluated')).toBe(1);
    const fired = ctx.repository.commit.mock.calls.flatMap(([b]) =>
      b.fires.map((f) => f.fire.price),
    );
    expect(fired).toEqual([101]);
  });

  it('evaluates every tick of an entry of several quotes, each in its own trace, and counts an invalid one', async () => {
    const { ctx, other, own } = await startSplit();
    const traces = [1, 2, 3, 4].map(
      (i) => `00-${String(i).repeat(32)}-b7ad6b7169203331-01`,
    );
    const fields = quoteStreamFields(
      [
        quoteAt(1, own, 101),
        quoteAt(1, other, 150),
        { ...quoteAt(2, own, 102), price: -1 },
        quoteAt(3, own, 103),
      ],
      T0 + 3000,
      traces,
    );
    ctx.stream.append(['7-0', fields]);
    await until(() => ctx.checkpoints().includes('7-0'));
    // The other partition's quote is left to its owner, unchecked and uncounted.
    expect(ctx.counted('invalid')).toBe(1);
    expect(ctx.counted('evaluated')).toBe(2);
    const fires = ctx.repository.commit.mock.calls.flatMap(([b]) => b.fires);
    expect(fires.map((f) => f.fire.price)).toEqual([101, 103]);
    expect(fires.map((f) => f.streamId)).toEqual(['7-0', '7-0']);
    // Each firing's evaluation continues its own tick's trace.
    expect(fires.map((f) => f.traceparent?.split('-')[1])).toEqual([
      traces[0].split('-')[1],
      traces[3].split('-')[1],
    ]);
  });

  it('asks for about TRADING_EVAL_BATCH_SIZE ticks per read, however many quotes an entry holds', async () => {
    const ctx = setup({
      TRADING_EVAL_BATCH_SIZE: '100',
      TRADING_EVAL_START: 'earliest',
    });
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    const frame = (id: number) => {
      const quotes = Array.from({ length: 25 }, (_, i) =>
        quoteAt(id, `S${i}`, 100 + i),
      );
      return [`${id}-0`, quoteStreamFields(quotes, T0)] as StreamEntry;
    };
    ctx.stream.append(frame(1), frame(2));
    await until(() => ctx.checkpoints().includes('2-0'));
    ctx.stream.append(tick(3, 'AAPL', 101));
    await until(() => ctx.checkpoints().includes('3-0'));
    // One entry at first (it may hold 500 quotes); after entries of 25
    // quotes, 4; after one of a single quote, 100.
    expect(ctx.stream.counts[0]).toBe(1);
    expect(ctx.stream.counts).toContain(4);
    expect(ctx.stream.counts.at(-1)).toBe(100);
    expect(ctx.counted('evaluated')).toBe(51);
  });

  it('does not enqueue a firing PostgreSQL already had (a replay)', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.repository.commit.mockResolvedValue([]);
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(tick(1, 'AAPL', 101));
    await until(() => ctx.checkpoints().includes('1-0'));
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.deliveries.enqueue).not.toHaveBeenCalled();
    expect(ctx.metrics.fired.inc).not.toHaveBeenCalled();
  });

  it('retries a failed commit with the same firings and enqueues only after it succeeds', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.repository.commit.mockImplementationOnce(() =>
      Promise.reject(new Error('connection reset')),
    );
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(tick(1, 'AAPL', 101));
    await until(() => ctx.repository.commit.mock.calls.length === 1);
    expect(ctx.deliveries.enqueue).not.toHaveBeenCalled();
    await until(() => ctx.deliveries.enqueue.mock.calls.length === 1);
    const keys = ctx.repository.commit.mock.calls.map(([b]) =>
      b.fires.map((f) => f.fire.idempotencyKey),
    );
    expect(keys[0]).toEqual([`${RULE_ID}:AAPL@${T0 + 1000}`]);
    expect(keys[1]).toEqual(keys[0]);
    expect(ctx.checkpoints().slice(0, 2)).toEqual(['1-0', '1-0']);
  });

  it('retries a failed enqueue with the same jobs', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.deliveries.enqueue.mockRejectedValueOnce(new Error('redis down'));
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(tick(1, 'AAPL', 101));
    await until(() => ctx.deliveries.enqueue.mock.calls.length === 2);
    const [first] = ctx.deliveries.enqueue.mock.calls[0];
    const [second] = ctx.deliveries.enqueue.mock.calls[1];
    expect(second).toEqual(first);
    expect(first.map((j) => j.triggerId)).toEqual(['trigger-1']);
  });

  it('reads the next batch while the current one is still committing', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    let release!: () => void;
    ctx.repository.commit.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          release = () => resolve([]);
        }),
    );
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(tick(1, 'AAPL', 101), tick(2, 'AAPL', 102));
    await until(() => ctx.repository.commit.mock.calls.length === 1);
    // The commit of 1-0..2-0 hangs; the evaluator already asks for what follows.
    await until(() => ctx.stream.reads.includes('2-0'));
    ctx.stream.append(tick(3, 'AAPL', 103));
    await until(() => ctx.counted('evaluated') === 3);
    expect(ctx.repository.commit).toHaveBeenCalledTimes(1);
    release();
    // The next commit takes the later batch, with the checkpoint after it.
    await until(() => ctx.checkpoints().includes('3-0'));
  });

  it('resumes after the stored checkpoint, its crossings warmed up from the ticks before it', async () => {
    const ctx = setup({}, { checkpoint: '2-0' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'crossing_up' }),
    );
    ctx.stream.append(tick(1, 'AAPL', 98), tick(2, 'AAPL', 99));
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    expect(ctx.stream.reads[0]).toBe('2-0');
    // 99 → 101 crosses 100 only if 99 (before the checkpoint) was warmed up.
    ctx.stream.append(tick(3, 'AAPL', 101));
    await until(() => ctx.deliveries.enqueue.mock.calls.length === 1);
    expect(ctx.counted('evaluated')).toBe(1);
  });

  it('with split partitions, warms up only its own symbols from the ticks before the checkpoint', async () => {
    const ctx = setup(
      { TRADING_EVAL_PARTITIONS: '0', TRADING_EVAL_PARTITION_COUNT: '2' },
      { checkpoint: '3-0' },
    );
    const { other, own } = splitSymbols();
    const warmUp = jest.spyOn(ctx.engine, 'warmUp');
    ctx.stream.append(tick(1, own, 98), tick(2, other, 50), tick(3, own, 99));
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    expect(warmUp.mock.calls.map(([t]) => [t.symbol, t.price])).toEqual([
      [own, 98],
      [own, 99],
    ]);
  });

  it('hands the triggers a crash left pending to the queue before reading', async () => {
    const pending = [
      { firedAt: new Date(T0), id: 't-1' },
      { firedAt: new Date(T0 + 1), id: 't-2' },
    ];
    const ctx = setup({}, { pending });
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    expect(ctx.deliveries.recover).toHaveBeenCalledWith(pending);
  });

  it('retries a partition switch that failed (Redis down in a failover) until it reads them', async () => {
    const ctx = setup(
      { TRADING_EVAL_PARTITION_COUNT: '2' },
      { pending: [{ firedAt: new Date(T0), id: 't-1' }] },
    );
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 100, type: 'price_above' }),
    );
    ctx.deliveries.recover.mockRejectedValueOnce(
      new Error(
        'Too many Cluster redirections. Last error: Connection is closed.',
      ),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    await ctx.service.reassign([0, 1]);
    expect(ctx.deliveries.recover).toHaveBeenCalledTimes(2);
    ctx.stream.append(tick(1, 'AAPL', 101));
    await until(() => ctx.deliveries.enqueue.mock.calls.length === 1);
  });

  it('applies a later switch after one that failed, and stops retrying one replaced', async () => {
    const ctx = setup({ TRADING_EVAL_PARTITION_COUNT: '2' });
    ctx.repository.loadActive.mockRejectedValueOnce(
      new Error('PostgreSQL down'),
    );
    running = ctx.service;
    await ctx.service.onApplicationBootstrap();
    const failing = ctx.service.reassign([0]);
    // Replaced while its first attempt fails: only [0, 1] is switched to.
    await ctx.service.reassign([0, 1]);
    await failing;
    expect(ctx.repository.loadActive).toHaveBeenCalledTimes(2);
    await until(() => ctx.stream.reads.length > 0);
    await ctx.service.reassign([]);
    const reads = ctx.stream.reads.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.stream.reads.length).toBe(reads);
  });

  it('at shutdown stops reading and commits what it evaluated', async () => {
    const ctx = setup({ TRADING_EVAL_START: 'earliest' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 1000, type: 'price_above' }),
    );
    await ctx.service.onApplicationBootstrap();
    ctx.stream.append(tick(1, 'AAPL', 101));
    await until(() => ctx.counted('evaluated') === 1);
    await ctx.service.onApplicationShutdown();
    expect(ctx.stream.closed).toBe(true);
    expect(ctx.checkpoints().at(-1)).toBe('1-0');
    const reads = ctx.stream.reads.length;
    await new Promise((r) => setTimeout(r, 20));
    expect(ctx.stream.reads.length).toBe(reads);
  });

  it('evaluates sentiment updates through the same commit and delivery path, without a checkpoint', async () => {
    const ctx = setup({ TRADING_EVAL_ENABLED: 'false' });
    ctx.active.push(
      rule(RULE_ID, 'AAPL', { threshold: 0.5, type: 'sentiment_above' }),
    );
    await ctx.service.onApplicationBootstrap();
    const fired = await ctx.service.evaluateSignals([
      { asOf: T0, metric: 'sentiment', symbol: 'AAPL', value: 0.8 },
      { asOf: T0 + 1, metric: 'sentiment', symbol: 'MSFT', value: 0.9 },
    ]);
    expect(fired).toBe(1);
    const [batch] = ctx.repository.commit.mock.calls[0] as [
      { checkpoint?: unknown; fires: PendingFire[] },
    ];
    expect(batch.checkpoint).toBeUndefined();
    expect(batch.fires.map((f) => f.fire.value)).toEqual([0.8]);
    expect(ctx.deliveries.enqueue.mock.calls[0][0][0].target?.payload).toEqual(
      expect.objectContaining({ alertId: RULE_ID, value: 0.8 }),
    );
  });
});
