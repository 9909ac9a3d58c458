import { parseQuoteStreamFields } from '@freeride/contracts';
import { HealthRegistry } from '@freeride/observability';
import {
  ATTR,
  TRACER_NAME,
  contextFromTraceparent,
  traceparentOf,
} from '@freeride/tracing';
import type { EvaluationResult, SignalUpdate } from '@freeride/trading-rules';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { alertPayload } from '../deliveries/alert-payload';
import { DeliveryQueueService } from '../deliveries/delivery-queue.service';
import { EvaluationMetrics } from './evaluation.metrics';
import {
  EvaluationRepository,
  type PendingFire,
  type StoredTrigger,
} from './evaluation.repository';
import { RuleBookService } from './rule-book.service';
import { ownsSymbol } from './symbol-partitions';
import type { TradingRule } from './trading-rule';

type StreamEntry = [id: string, fields: string[]];

/** Longest time a batch without effects may leave the stored checkpoint behind. */
const CHECKPOINT_INTERVAL_MS = 1000;
/** Firings waiting for PostgreSQL beyond which the evaluator stops reading. */
const MAX_PENDING_FIRES = 20_000;

/** Milliseconds part of a stream id. */
function idMs(id: string): number {
  return Number(id.split('-')[0]);
}

/**
 * Reads the gateway's quote stream and evaluates every tick against the rule
 * book. Each batch's effects (triggers, deactivations, re-arm times, the
 * stream checkpoint) commit in one PostgreSQL transaction before deliveries
 * are enqueued, so a crash at any point either replays the batch (idempotency
 * keys skip what was stored) or resumes after it: nothing is lost or fired twice.
 */
@Injectable()
export class EvaluationService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(EvaluationService.name);
  private committedId = '0-0';
  private committing?: Promise<void>;
  private pending: { expired: string[]; fires: PendingFire[] } = {
    expired: [],
    fires: [],
  };
  private lastCommitAt = 0;
  private lastId = '0-0';
  private loop?: Promise<void>;
  private reader?: Redis;
  private running = false;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly deliveries: DeliveryQueueService,
    private readonly health: HealthRegistry,
    private readonly metrics: EvaluationMetrics,
    private readonly repository: EvaluationRepository,
    private readonly ruleBook: RuleBookService,
  ) {
    metrics.observeRuleBook(() => ruleBook.engine.symbolStats());
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const rule of await this.repository.loadActive()) {
      // With split evaluators, only the rules of this instance's symbols.
      if (!ownsSymbol(rule.symbol, this.config.evaluation.partitions)) continue;
      const { rearmAt, ...tradingRule } = rule;
      await this.ruleBook.add(tradingRule, rearmAt);
    }
    this.metrics.rules.set(this.ruleBook.engine.ruleCount);
    if (!this.config.evaluation.enabled) return;
    this.reader = new Redis(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    await this.resume();
    await this.enqueueUndelivered();
    this.running = true;
    this.health.register('quote-stream', () =>
      Promise.resolve({
        details: { lastId: this.lastId, rules: this.ruleBook.engine.ruleCount },
        status: this.running ? 'up' : 'down',
      }),
    );
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    // Unblocks a pending XREAD BLOCK; the loop then sees running=false.
    this.reader?.disconnect();
    await this.loop;
    await this.startDrain().catch((err: unknown) =>
      this.logger.warn({ err }, 'pending firings not committed at shutdown'),
    );
  }

  /** Evaluates sentiment updates through the same commit and delivery path as ticks. */
  async evaluateSignals(updates: SignalUpdate[]): Promise<number> {
    const fires: PendingFire[] = [];
    const expired: string[] = [];
    for (const update of updates) {
      const result = this.ruleBook.engine.onSignal(update);
      this.collect(result, fires, expired, undefined, undefined);
    }
    const stored = await this.repository.commit({ expired, fires });
    await this.enqueue(stored, fires);
    return stored.length;
  }

  /** Restores the checkpoint and warms crossings and windows up from processed ticks. */
  private async resume(): Promise<void> {
    const { start, stream, warmupMs } = this.config.evaluation;
    const reader = this.reader!;
    const checkpoint = await this.repository.checkpoint(
      this.config.evaluation.checkpointKey,
    );
    if (checkpoint === undefined) {
      if (start === 'latest') {
        const last = (await reader.xrevrange(
          stream,
          '+',
          '-',
          'COUNT',
          1,
        )) as StreamEntry[];
        this.lastId = last[0]?.[0] ?? '0-0';
      }
      return;
    }
    this.lastId = checkpoint;
    this.committedId = checkpoint;
    let from = String(Math.max(0, idMs(checkpoint) - warmupMs));
    let warmed = 0;
    for (;;) {
      const page = (await reader.xrange(
        stream,
        from,
        checkpoint,
        'COUNT',
        1000,
      )) as StreamEntry[];
      for (const [, fields] of page) {
        try {
          const { quote } = parseQuoteStreamFields(fields);
          if (!quote.stale) {
            this.ruleBook.engine.warmUp({
              asOf: Date.parse(quote.asOf),
              price: quote.price,
              symbol: quote.symbol,
              volume: quote.volume,
            });
            warmed++;
          }
        } catch {
          // Invalid entries were counted when first read.
        }
      }
      if (page.length < 1000) break;
      from = `(${page[page.length - 1][0]}`;
    }
    this.logger.log(
      { checkpoint, warmed },
      'evaluator resumed from checkpoint',
    );
  }

  /** Triggers committed before a crash but not known delivered: reconcile or re-enqueue (the job id dedupes). */
  private async enqueueUndelivered(): Promise<void> {
    const ids = await this.repository.pendingTriggers(10_000);
    if (ids.length === 0) return;
    const result = await this.deliveries.recover(ids);
    this.logger.log(
      { ...result, pending: ids.length },
      'undelivered triggers recovered',
    );
  }

  private async run(): Promise<void> {
    const { batchSize, blockMs, stream } = this.config.evaluation;
    while (this.running) {
      try {
        const res = await this.reader!.xread(
          'COUNT',
          batchSize,
          'BLOCK',
          blockMs,
          'STREAMS',
          stream,
          this.lastId,
        );
        if (!res || res.length === 0) {
          if (this.committedId !== this.lastId) {
            await this.startDrain();
          }
          continue;
        }
        await this.processBatch(res[0][1]);
      } catch (err) {
        if (!this.running) break;
        this.logger.error({ err }, 'quote stream batch failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async processBatch(entries: StreamEntry[]): Promise<void> {
    const receivedAt = Date.now();
    const endTimer = this.metrics.batchSeconds.startTimer();
    const engine = this.ruleBook.engine;
    const fires: PendingFire[] = [];
    const expired: string[] = [];
    let lastProducedAt: number | undefined;
    for (const [id, fields] of entries) {
      let parsed: ReturnType<typeof parseQuoteStreamFields>;
      try {
        parsed = parseQuoteStreamFields(fields);
      } catch (err) {
        this.metrics.ticks.inc({ outcome: 'invalid' });
        this.logger.warn(
          { err, streamId: id },
          'invalid quote stream entry skipped',
        );
        continue;
      }
      const { message, quote } = parsed;
      lastProducedAt = message.producedAt;
      // Another evaluator instance owns this symbol's partition.
      if (!ownsSymbol(quote.symbol, this.config.evaluation.partitions))
        continue;
      if (quote.stale) {
        this.metrics.ticks.inc({ outcome: 'stale' });
        continue;
      }
      const result = engine.onTick({
        asOf: Date.parse(quote.asOf),
        price: quote.price,
        symbol: quote.symbol,
        volume: quote.volume,
      });
      this.metrics.ticks.inc({ outcome: result.rejected ?? 'evaluated' });
      this.collect(result, fires, expired, id, message.traceparent, receivedAt);
    }
    this.lastId = entries[entries.length - 1][0];
    if (lastProducedAt !== undefined) {
      this.metrics.evalLag.observe(
        Math.max(0, receivedAt - lastProducedAt) / 1000,
      );
    }
    this.pending.fires.push(...fires);
    this.pending.expired.push(...expired);
    this.metrics.rules.set(engine.ruleCount);
    endTimer();
    // A batch that changed nothing only moves the checkpoint: that write is
    // deferred (at most CHECKPOINT_INTERVAL_MS, or until the stream idles),
    // since replaying such ticks after a crash fires nothing.
    const dirty =
      this.pending.fires.length > 0 || this.pending.expired.length > 0;
    if (dirty || Date.now() - this.lastCommitAt >= CHECKPOINT_INTERVAL_MS) {
      void this.startDrain();
    }
    // Back-pressure: stop reading while too much is waiting for PostgreSQL.
    if (this.pending.fires.length > MAX_PENDING_FIRES) await this.committing;
  }

  private startDrain(): Promise<void> {
    if (!this.committing) {
      this.committing = this.drain();
      // Awaited by back-pressure, idle flush and shutdown; failures are logged in drain.
      this.committing.catch(() => undefined);
    }
    return this.committing;
  }

  /**
   * Group commit: while one commit runs, later batches are evaluated and
   * accumulate; the next commit takes all of them at once. Commits stay in
   * stream order, and deliveries are enqueued only after their commit.
   */
  private async drain(): Promise<void> {
    try {
      while (
        this.pending.fires.length > 0 ||
        this.pending.expired.length > 0 ||
        this.committedId !== this.lastId
      ) {
        const { expired, fires } = this.pending;
        const id = this.lastId;
        this.pending = { expired: [], fires: [] };
        let stored: StoredTrigger[];
        try {
          stored = await this.repository.commit({
            checkpoint: { id, stream: this.config.evaluation.checkpointKey },
            expired,
            fires,
          });
        } catch (err) {
          // Keep the firings (in order) and retry; the checkpoint stays behind them.
          this.pending = {
            expired: expired.concat(this.pending.expired),
            fires: fires.concat(this.pending.fires),
          };
          this.logger.error(
            { err, fires: fires.length },
            'tick batch commit failed; retrying',
          );
          if (!this.running) throw err;
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        this.committedId = id;
        this.lastCommitAt = Date.now();
        await this.enqueue(stored, fires);
      }
    } finally {
      this.committing = undefined;
    }
  }

  private async enqueue(
    stored: StoredTrigger[],
    fires: PendingFire[],
  ): Promise<void> {
    if (stored.length === 0) return;
    this.metrics.fired.inc(stored.length);
    const byKey = new Map(fires.map((f) => [f.fire.idempotencyKey, f]));
    await this.deliveries.enqueue(
      stored.map((s) => {
        const pending = byKey.get(s.idempotencyKey);
        if (!pending) return { triggerId: s.id };
        const { fire } = pending;
        return {
          target: {
            payload: alertPayload(
              {
                firedAt: s.firedAt,
                idempotencyKey: fire.idempotencyKey,
                price: fire.price,
                ruleId: fire.rule.id,
                symbol: fire.rule.symbol,
                tickAsOf: new Date(fire.asOf),
                value: fire.value,
              },
              fire.rule,
            ),
            delivery: fire.rule.delivery,
            traderId: fire.rule.traderId,
          },
          tickReceivedAt: pending.receivedAt,
          traceparent: pending.traceparent,
          triggerId: s.id,
        };
      }),
    );
  }

  /** Adds a result's firings (each with its own evaluation span in the tick's trace). */
  private collect(
    result: EvaluationResult<TradingRule>,
    fires: PendingFire[],
    expired: string[],
    streamId: string | undefined,
    traceparent: string | undefined,
    receivedAt?: number,
  ): void {
    for (const rule of result.expired) expired.push(rule.id);
    if (result.fired.length === 0) return;
    const span = trace.getTracer(TRACER_NAME).startSpan(
      'rule-engine evaluate',
      {
        attributes: {
          [ATTR.BATCH_SIZE]: result.fired.length,
          [ATTR.STREAM_ID]: streamId ?? '',
        },
      },
      contextFromTraceparent(traceparent),
    );
    const evaluated = traceparentOf(span);
    span.end();
    for (const fire of result.fired) {
      fires.push({
        fire,
        receivedAt,
        streamId,
        traceparent: evaluated ?? traceparent,
      });
    }
  }
}
