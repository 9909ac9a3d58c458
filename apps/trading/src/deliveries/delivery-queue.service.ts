import { backoffDelayMs } from '@freeride/backoff';
import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type JobsOptions, Queue, UnrecoverableError } from 'bullmq';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import {
  BULLMQ_PREFIX,
  COMPLETED_JOB_RETENTION_SECONDS,
  DELIVERY_QUEUE,
  DELIVER_JOB,
  FIRST_ATTEMPT_BACKLOG_MAX,
  FIRST_ATTEMPT_GRACE_MS,
  JITTER_BACKOFF,
} from './deliveries.constants';
import { failureLogFields } from './deliveries.errors';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryAttemptService } from './delivery-attempt.service';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryMetrics } from './delivery.metrics';

/** A trigger left `pending` (see {@link DeliveryQueueService.recover}). */
export interface PendingTrigger {
  firedAt: Date;
  id: string;
}

/**
 * Producer side of deliveries. A delivery the evaluator built makes its
 * first attempt at once, in this process (up to the delivery concurrency
 * at a time): no queue round trips between the commit and the receiver.
 * A failed first attempt continues as a BullMQ job (job id = trigger id)
 * with the remaining attempts, its backoff and its dead-letter entry; so
 * does every delivery beyond FIRST_ATTEMPT_BACKLOG_MAX waiting ones, and
 * every delivery re-enqueued after a restart.
 */
@Injectable()
export class DeliveryQueueService implements OnApplicationShutdown {
  readonly queue: Queue<DeliveryJobData>;
  private readonly logger = new Logger(DeliveryQueueService.name);
  /** The queue's Redis client (also read by the worker's watchdog). */
  readonly connection: RedisClient;
  /** First attempts running, and those waiting for a slot (in commit order). */
  private running = 0;
  private readonly waiting: DeliveryJobData[] = [];
  private idle?: { promise: Promise<void>; resolve: () => void };
  private closing = false;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly attempts: DeliveryAttemptService,
    private readonly repository: DeliveriesRepository,
    private readonly metrics: DeliveryMetrics,
  ) {
    this.connection = createRedisClient(config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    this.queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
      connection: this.connection,
      prefix: BULLMQ_PREFIX,
    });
    // Failed jobs stay in BullMQ's failed set: that set is the dead-letter list.
    metrics.observeDeadLetters(() => this.queue.getFailedCount());
  }

  /**
   * Delivers newly committed triggers: those with their payload make their
   * first attempt now (unless too many wait), the others are enqueued. A
   * rejection means nothing was started: calling again with the same jobs
   * adds nothing twice (the job id is the trigger id).
   */
  async enqueue(jobs: DeliveryJobData[]): Promise<void> {
    const now: DeliveryJobData[] = [];
    const queued: DeliveryJobData[] = [];
    // With one attempt configured, the queue's job is that attempt (and its dead-letter entry).
    const direct = this.config.delivery.attempts > 1;
    for (const job of jobs) {
      if (
        direct &&
        job.target &&
        this.waiting.length + now.length < FIRST_ATTEMPT_BACKLOG_MAX
      )
        now.push(job);
      else queued.push(job);
    }
    await this.add(queued);
    for (const job of now) this.waiting.push(job);
    this.pump();
  }

  /**
   * After a restart: reconciles triggers still `pending` (or `retrying`)
   * in PostgreSQL. One
   * with a `delivered` marker or a completed job (delivered, status write
   * lost in the crash) is marked delivered, one with a failed job dead, and
   * one without either is enqueued again: no earlier than
   * FIRST_ATTEMPT_GRACE_MS past the delivery timeout after it fired, since
   * its first attempt may still be running in another instance (the worker
   * then finds it delivered and sends nothing).
   */
  async recover(
    triggers: readonly PendingTrigger[],
  ): Promise<{ enqueued: number; reconciled: number }> {
    const marked = await this.attempts.deliveredMarkers(
      triggers.map((t) => t.id),
    );
    const done = new Set(marked.map((m) => m.triggerId));
    const completed: string[] = [];
    const failed: string[] = [];
    const missing: PendingTrigger[] = [];
    for (const trigger of triggers) {
      if (done.has(trigger.id)) continue;
      const state = await this.queue.getJobState(trigger.id);
      if (state === 'completed') completed.push(trigger.id);
      else if (state === 'failed') failed.push(trigger.id);
      // Waiting, delayed or active: the job delivers it.
      else if (state === 'unknown') missing.push(trigger);
    }
    await this.repository.markDelivered([
      ...marked,
      ...completed.map((triggerId) => ({
        attempts: 1,
        statusCode: 200,
        triggerId,
      })),
    ]);
    for (const id of failed) {
      await this.repository.markAttempt(id, {
        attempts: this.config.delivery.attempts,
        status: 'dead',
      });
    }
    const graceMs = this.config.delivery.timeoutMs + FIRST_ATTEMPT_GRACE_MS;
    const now = Date.now();
    for (const trigger of missing) {
      await this.add([{ triggerId: trigger.id }], {
        delay: Math.max(0, trigger.firedAt.getTime() + graceMs - now),
      });
    }
    return {
      enqueued: missing.length,
      reconciled: marked.length + completed.length + failed.length,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    // First attempts still waiting go to the queue; running ones finish.
    const left = this.waiting.splice(0);
    await this.add(left).catch((err: unknown) =>
      this.logger.warn(
        { err, jobs: left.length },
        'waiting deliveries not enqueued at shutdown; a restart recovers them',
      ),
    );
    if (this.running > 0) {
      this.idle ??= promiseWithResolve();
      await this.idle.promise;
    }
    await this.attempts.flush();
    await this.queue.close();
    this.connection.disconnect();
  }

  /** Adds delivery jobs with `priorAttempts` attempts already made. */
  private async add(
    jobs: DeliveryJobData[],
    extra: Pick<JobsOptions, 'delay'> = {},
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((data) => ({
        data,
        name: DELIVER_JOB,
        opts: {
          attempts: this.config.delivery.attempts - (data.priorAttempts ?? 0),
          backoff: { type: JITTER_BACKOFF },
          jobId: data.triggerId,
          removeOnComplete: { age: COMPLETED_JOB_RETENTION_SECONDS },
          removeOnFail: false,
          ...extra,
        },
      })),
    );
  }

  /** Starts waiting first attempts while slots are free. */
  private pump(): void {
    while (
      this.running < this.config.delivery.concurrency &&
      this.waiting.length > 0
    ) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.firstAttempt(job).finally(() => {
        this.running--;
        if (this.running === 0 && this.idle) {
          this.idle.resolve();
          this.idle = undefined;
        }
        this.pump();
      });
    }
  }

  /** Attempt 1; a failure continues as a job with the remaining attempts. */
  private async firstAttempt(job: DeliveryJobData): Promise<void> {
    try {
      await this.attempts.run(job, 1);
      return;
    } catch (err) {
      const unrecoverable = err instanceof UnrecoverableError;
      // A forbidden destination fails again at once in the worker, which
      // moves it to the dead-letter list.
      this.metrics.attempts.inc({ outcome: 'retry' });
      this.logger.warn(
        { ...failureLogFields(err), triggerId: job.triggerId },
        'first delivery attempt failed; its retries go through the queue',
      );
      const { backoffBaseMs, backoffMaxMs } = this.config.delivery;
      const delay = unrecoverable
        ? 0
        : backoffDelayMs(0, {
            baseMs: backoffBaseMs,
            jitter: 'equal',
            maxMs: backoffMaxMs,
          });
      for (;;) {
        try {
          await this.add([{ ...job, priorAttempts: 1 }], { delay });
          return;
        } catch (addErr) {
          // The trigger stays `retrying` in PostgreSQL without a job: the
          // next start enqueues it (see recover).
          this.logger.error(
            { err: addErr, triggerId: job.triggerId },
            'failed delivery not enqueued for its retries; retrying',
          );
          if (this.closing) return;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  }
}

function promiseWithResolve(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
