import {
  MAX_QUOTES_PER_ENTRY,
  type QuoteStreamTick,
  readQuoteStreamTicks,
} from '@freeride/contracts';
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

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { alertPayload } from '../deliveries/alert-payload';
import type { DeliveryJobData } from '../deliveries/delivery-job';
import { DeliveryQueueService } from '../deliveries/delivery-queue.service';
import { EvaluationMetrics } from './evaluation.metrics';
import {
  EvaluationRepository,
  type PendingFire,
  type StoredTrigger,
} from './evaluation.repository';
import { QuoteStreamReader, type StreamEntry } from './quote-stream.reader';
import { RuleBookService } from './rule-book.service';
import {
  mayOwnEntry,
  ownsSymbol,
  partitionCheckpointKey,
} from './symbol-partitions';
import type { TradingRule } from './trading-rule';

/** Longest time a batch without effects may leave the stored checkpoint behind. */
const CHECKPOINT_INTERVAL_MS = 1000;
/** Firings waiting for PostgreSQL (or deliveries for the queue) beyond which the evaluator stops reading. */
const MAX_PENDING_FIRES = 20_000;
/** Pause before retrying a failed read, commit or enqueue. */
const RETRY_MS = 500;

/** The evaluator's tracer (a proxy: spans go to whatever provider is registered later). */
const tracer = trace.getTracer(TRACER_NAME);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ticks of one batch by outcome (the `ticks_total` labels). */
interface TickCounts {
  duplicate: number;
  evaluated: number;
  invalid: number;
  out_of_order: number;
  stale: number;
}

/** Milliseconds part of a stream id. */
function idMs(id: string): number {
  return Number(id.split('-')[0]);
}

/** Whether stream id `a` is before `b`. */
function olderId(a: string, b: string): boolean {
  const [am, as = 0] = a.split('-').map(Number);
  const [bm, bs = 0] = b.split('-').map(Number);
  return am < bm || (am === bm && as < bs);
}

/**
 * Reads the gateway's quote stream and evaluates every tick against the rule
 * book. Each batch's effects (triggers, deactivations, re-arm times, the
 * stream checkpoint) commit in one PostgreSQL transaction before deliveries
 * are enqueued, so a crash at any point either replays the batch (idempotency
 * keys skip what was stored) or resumes after it: nothing is lost or fired twice.
 *
 * Nothing on the tick → webhook path waits on a timer: the next batch is
 * read (a blocking read, answered as soon as a tick arrives) while the
 * current one is evaluated, a commit starts as soon as a batch fired, and a
 * committed batch's deliveries are enqueued while the next batch commits.
 */
@Injectable()
export class EvaluationService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(EvaluationService.name);
  private committedId = '0-0';
  private committing?: Promise<void>;
  /** Deliveries of committed batches, enqueued in commit order. */
  private enqueuing: Promise<void> = Promise.resolve();
  /** Jobs committed and not yet accepted by the queue. */
  private enqueueBacklog = 0;
  private pending: { expired: string[]; fires: PendingFire[] } = {
    expired: [],
    fires: [],
  };
  private lastCommitAt = 0;
  private lastId = '0-0';
  /**
   * Quotes per stream entry in the last entries read (an entry holds one,
   * or a provider frame's); until some are read, the most an entry can hold.
   */
  private ticksPerEntry = MAX_QUOTES_PER_ENTRY;
  private loop?: Promise<void>;
  private running = false;
  /** Reassignments run one after the other (see {@link reassign}). */
  private reassigning: Promise<void> = Promise.resolve();
  /** The partitions of the latest {@link reassign} call. */
  private wanted?: readonly number[];
  private stopped = false;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly deliveries: DeliveryQueueService,
    private readonly health: HealthRegistry,
    private readonly metrics: EvaluationMetrics,
    private readonly repository: EvaluationRepository,
    private readonly ruleBook: RuleBookService,
    private readonly stream: QuoteStreamReader,
  ) {
    metrics.observeRuleBook(() => ruleBook.engine.symbolStats());
  }

  async onApplicationBootstrap(): Promise<void> {
    const leases = this.config.evaluation.assignment === 'leases';
    // With leases, the partitions (and their rules) come with `reassign`.
    if (!leases) await this.loadOwnRules();
    if (!this.config.evaluation.enabled) return;
    this.health.register('quote-stream', () =>
      Promise.resolve({
        details: {
          lastId: this.lastId,
          partitions: this.config.evaluation.partitions.own,
          rules: this.ruleBook.engine.ruleCount,
        },
        status: this.running || leases ? 'up' : 'down',
      }),
    );
    if (!leases) await this.startReading();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.reassigning;
    await this.stopReading();
  }

  /**
   * Evaluates the `own` partitions from now on (leases): stops reading after
   * the batch in flight and commits it (checkpoints of the partitions held
   * until now), re-arms the rules of the new partitions' symbols, and
   * resumes from the oldest checkpoint among them. Ticks a previous owner
   * evaluated already may be evaluated again: their firings carry the same
   * idempotency keys, so none is stored or delivered twice.
   *
   * A switch that fails (PostgreSQL or Redis not answering, as during a
   * Redis failover) is retried every RETRY_MS until it succeeds, a newer
   * assignment replaces it, or the service stops: partitions leased here
   * are never left unread, and one failure does not block later switches.
   */
  reassign(own: readonly number[]): Promise<void> {
    const next = [...own].sort((a, b) => a - b);
    this.wanted = next;
    this.reassigning = this.reassigning.then(() => this.switchTo(next));
    return this.reassigning;
  }

  /** One reassignment, retried until done or superseded; never rejects. */
  private async switchTo(next: number[]): Promise<void> {
    const partitions = this.config.evaluation.partitions;
    while (!this.stopped && this.wanted === next) {
      const same = next.join() === partitions.own.join();
      if (same && (this.running || next.length === 0)) return;
      try {
        await this.stopReading();
        partitions.own.splice(0, partitions.own.length, ...next);
        for (const id of this.ruleBook.ids()) this.ruleBook.remove(id);
        this.lastId = '0-0';
        this.committedId = '0-0';
        await this.loadOwnRules();
        if (next.length > 0) await this.startReading();
        this.logger.log(
          { partitions: next },
          'evaluator partitions reassigned',
        );
        return;
      } catch (err) {
        this.logger.error(
          { err, partitions: next },
          'evaluator partitions not switched; retrying',
        );
        await sleep(RETRY_MS);
      }
    }
  }

  /** Arms the active rules of this instance's symbols. */
  private async loadOwnRules(): Promise<void> {
    for (const rule of await this.repository.loadActive()) {
      // With split evaluators, only the rules of this instance's symbols.
      if (!ownsSymbol(rule.symbol, this.config.evaluation.partitions)) continue;
      const { rearmAt, ...tradingRule } = rule;
      await this.ruleBook.add(tradingRule, rearmAt);
    }
    this.metrics.rules.set(this.ruleBook.engine.ruleCount);
  }

  private async startReading(): Promise<void> {
    await this.resume();
    await this.enqueueUndelivered();
    this.running = true;
    this.loop = this.run();
  }

  private async stopReading(): Promise<void> {
    this.running = false;
    // Fails a pending blocking read; the loop then sees running=false.
    this.stream.close();
    await this.loop;
    await this.startDrain().catch((err: unknown) =>
      this.logger.warn({ err }, 'pending firings not committed at shutdown'),
    );
    await this.enqueuing;
  }

  /** {@link checkpointKeys} as the repository takes them: one key, or several. */
  private checkpointStream(): string | string[] {
    const keys = this.checkpointKeys();
    return keys.length === 1 ? keys[0] : keys;
  }

  /** Where the position is stored: per partition held, with leases. */
  private checkpointKeys(): string[] {
    const { assignment, checkpointKey, partitions, stream } =
      this.config.evaluation;
    return assignment === 'leases'
      ? partitions.own.map((p) =>
          partitionCheckpointKey(stream, p, partitions.count),
        )
      : [checkpointKey];
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
    this.enqueueInOrder(stored, fires);
    await this.enqueuing;
    return stored.length;
  }

  /** Restores the checkpoint and warms crossings and windows up from processed ticks. */
  private async resume(): Promise<void> {
    const { start, warmupMs } = this.config.evaluation;
    // The oldest position among the partitions held (leases); a partition
    // never checkpointed starts as TRADING_EVAL_START says.
    let checkpoint: string | undefined;
    for (const key of this.checkpointKeys()) {
      const id = await this.repository.checkpoint(key);
      if (id === undefined) {
        if (start === 'earliest') {
          checkpoint = undefined;
          break;
        }
      } else if (checkpoint === undefined || olderId(id, checkpoint))
        checkpoint = id;
    }
    if (checkpoint === undefined) {
      if (start === 'latest') this.lastId = await this.stream.lastId();
      return;
    }
    this.lastId = checkpoint;
    this.committedId = checkpoint;
    let from = String(Math.max(0, idMs(checkpoint) - warmupMs));
    let warmed = 0;
    for (;;) {
      // Pages of about 1,000 ticks, whatever an entry holds.
      const count = this.entriesFor(1000);
      const page = await this.stream.range(from, checkpoint, count);
      const read = page.map(([, fields]) => {
        try {
          // Invalid entries and quotes were counted when first read.
          return this.ownTicks(fields, () => undefined);
        } catch {
          return undefined;
        }
      });
      this.learnEntrySize(read);
      for (const ticks of read) {
        for (const tick of ticks ?? []) {
          if (tick.stale) continue;
          this.ruleBook.engine.warmUp(tick);
          warmed++;
        }
      }
      if (page.length < count) break;
      from = `(${page[page.length - 1][0]}`;
    }
    this.logger.log(
      { checkpoint, warmed },
      'evaluator resumed from checkpoint',
    );
  }

  /** Triggers committed before a crash but not known delivered: reconcile or re-enqueue (the job id dedupes). */
  private async enqueueUndelivered(): Promise<void> {
    const pending = await this.repository.pendingTriggers(10_000);
    if (pending.length === 0) return;
    const result = await this.deliveries.recover(pending);
    this.logger.log(
      { ...result, pending: pending.length },
      'undelivered triggers recovered',
    );
  }

  /** One blocking read; its failure is handled where it is awaited. */
  private read(afterId: string): Promise<StreamEntry[]> {
    // Once shutting down, no new read (the reader would open a new connection).
    if (!this.running) return Promise.resolve([]);
    const { batchSize, blockMs } = this.config.evaluation;
    const read = this.stream.readAfter(
      afterId,
      this.entriesFor(batchSize),
      blockMs,
    );
    // A read-ahead still pending at shutdown fails with nobody awaiting it.
    read.catch(() => undefined);
    return read;
  }

  /** Whether a symbol is this instance's (its partition is one it owns). */
  private readonly owns = (symbol: string): boolean =>
    ownsSymbol(symbol, this.config.evaluation.partitions);

  /**
   * This instance's ticks of one entry: none from another partition's entry
   * of one quote (not parsed: its owner parses and counts it), and only its
   * own symbols' from an entry of several (the others unchecked). Throws for
   * a malformed entry; reports an invalid quote of a batch to `onInvalid`.
   */
  private ownTicks(
    fields: readonly string[],
    onInvalid: (err: unknown, index: number) => void,
  ): QuoteStreamTick[] {
    const partitions = this.config.evaluation.partitions;
    if (!mayOwnEntry(fields, partitions)) return [];
    return readQuoteStreamTicks(
      fields,
      onInvalid,
      partitions.count > 1 ? this.owns : undefined,
    );
  }

  /** How many entries hold about `ticks` ticks, by the last entries read. */
  private entriesFor(ticks: number): number {
    return Math.max(1, Math.min(ticks, Math.round(ticks / this.ticksPerEntry)));
  }

  /** Learns the ticks per entry from the ticks read of each entry (an entry skipped or refused: one). */
  private learnEntrySize(
    read: readonly (readonly QuoteStreamTick[] | undefined)[],
  ): void {
    if (read.length === 0) return;
    let ticks = 0;
    for (const t of read) ticks += Math.max(1, t?.length ?? 0);
    this.ticksPerEntry = ticks / read.length;
  }

  private async run(): Promise<void> {
    let next = this.read(this.lastId);
    while (this.running) {
      try {
        const entries = await next;
        if (entries.length === 0) {
          next = this.read(this.lastId);
          if (this.committedId !== this.lastId) await this.startDrain();
          continue;
        }
        await this.processBatch(entries, () => {
          // Read ahead: the next batch is on its way while this one is
          // evaluated (asked once this one is parsed: its size is known).
          next = this.read(entries[entries.length - 1][0]);
        });
      } catch (err) {
        if (!this.running) break;
        this.logger.error({ err }, 'quote stream batch failed; retrying');
        await sleep(RETRY_MS);
        // The batch is read again from the last one evaluated.
        next = this.read(this.lastId);
      }
    }
  }

  /** Parses and evaluates a batch; calls `parsed` between the two. */
  private async processBatch(
    entries: StreamEntry[],
    parsed: () => void,
  ): Promise<void> {
    const receivedAt = Date.now();
    const endTimer = this.metrics.batchSeconds.startTimer();
    const engine = this.ruleBook.engine;
    const { expired, fires } = this.pending;
    const counts: TickCounts = {
      duplicate: 0,
      evaluated: 0,
      invalid: 0,
      out_of_order: 0,
      stale: 0,
    };
    let lastProducedAt: number | undefined;
    // The whole batch is parsed first, then evaluated: each phase runs on
    // its own data (the reply, then the rule book), which measured faster
    // than alternating tick by tick. An entry holds one quote or the quotes
    // of one provider message.
    const ticks = new Array<QuoteStreamTick[] | undefined>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const streamId = entries[i][0];
      try {
        ticks[i] = this.ownTicks(entries[i][1], (err, index) => {
          counts.invalid++;
          this.logger.warn(
            { err, index, streamId },
            'invalid quote in a quote stream entry skipped',
          );
        });
      } catch (err) {
        counts.invalid++;
        this.logger.warn(
          { err, streamId },
          'invalid quote stream entry skipped',
        );
      }
    }
    this.learnEntrySize(ticks);
    parsed();
    for (let i = 0; i < entries.length; i++) {
      const entryTicks = ticks[i];
      if (entryTicks === undefined) continue;
      const id = entries[i][0];
      for (const tick of entryTicks) {
        lastProducedAt = tick.producedAt;
        if (tick.stale) {
          counts.stale++;
          continue;
        }
        const result = engine.onTick(tick);
        counts[result.rejected ?? 'evaluated']++;
        if (result.fired.length > 0 || result.expired.length > 0) {
          this.collect(
            result,
            fires,
            expired,
            id,
            tick.traceparent,
            receivedAt,
          );
        }
      }
    }
    this.lastId = entries[entries.length - 1][0];
    for (const outcome of Object.keys(counts) as Array<keyof TickCounts>) {
      if (counts[outcome] > 0) {
        this.metrics.ticks.inc({ outcome }, counts[outcome]);
      }
    }
    if (lastProducedAt !== undefined) {
      this.metrics.evalLag.observe(
        Math.max(0, receivedAt - lastProducedAt) / 1000,
      );
    }
    this.metrics.rules.set(engine.ruleCount);
    endTimer();
    // A batch that changed nothing only moves the checkpoint: that write is
    // deferred (at most CHECKPOINT_INTERVAL_MS, or until the stream idles),
    // since replaying such ticks after a crash fires nothing.
    const dirty = fires.length > 0 || expired.length > 0;
    if (dirty || Date.now() - this.lastCommitAt >= CHECKPOINT_INTERVAL_MS) {
      void this.startDrain();
    }
    // Back-pressure: stop reading while too much waits for PostgreSQL or the queue.
    if (this.pending.fires.length > MAX_PENDING_FIRES) await this.committing;
    if (this.enqueueBacklog > MAX_PENDING_FIRES) await this.enqueuing;
  }

  private startDrain(): Promise<void> {
    if (!this.committing) {
      // Cleared once settled: a drain with nothing to commit settles at
      // once, before this assignment, so its own `finally` cannot clear it.
      const committing = this.drain().finally(() => {
        if (this.committing === committing) this.committing = undefined;
      });
      this.committing = committing;
      // Awaited by back-pressure, idle flush and shutdown; failures are logged in drain.
      committing.catch(() => undefined);
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
            checkpoint: { id, stream: this.checkpointStream() },
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
          await sleep(RETRY_MS);
          continue;
        }
        this.committedId = id;
        this.lastCommitAt = Date.now();
        this.enqueueInOrder(stored, fires);
      }
    } finally {
      this.committing = undefined;
    }
  }

  /**
   * Queues the deliveries of newly stored triggers behind those of earlier
   * commits, without holding the next commit. A failed enqueue is retried
   * (the job id is the trigger id, so a retry adds nothing twice); at
   * shutdown the triggers stay `pending` in PostgreSQL and the next start
   * enqueues them.
   */
  private enqueueInOrder(stored: StoredTrigger[], fires: PendingFire[]): void {
    if (stored.length === 0) return;
    this.metrics.fired.inc(stored.length);
    const jobs = deliveryJobs(stored, fires);
    this.enqueueBacklog += jobs.length;
    this.enqueuing = this.enqueuing.then(async () => {
      for (;;) {
        try {
          await this.deliveries.enqueue(jobs);
          break;
        } catch (err) {
          this.logger.error(
            { err, jobs: jobs.length },
            'deliveries not enqueued; retrying',
          );
          if (!this.running) break;
          await sleep(RETRY_MS);
        }
      }
      this.enqueueBacklog -= jobs.length;
    });
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
    const span = tracer.startSpan(
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

/** The delivery jobs of stored triggers, each with its payload built from the stored row. */
function deliveryJobs(
  stored: StoredTrigger[],
  fires: PendingFire[],
): DeliveryJobData[] {
  const byKey = new Map(fires.map((f) => [f.fire.idempotencyKey, f]));
  return stored.map((s) => {
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
  });
}
