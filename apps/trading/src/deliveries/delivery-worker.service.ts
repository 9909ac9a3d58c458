import { backoffDelayMs } from '@freeride/backoff';
import { QueueWatchdog } from '@freeride/queue-watchdog';
import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import {
  BULLMQ_PREFIX,
  DELIVERY_QUEUE,
  WORKER_STUCK_GRACE_MS,
} from './deliveries.constants';
import { failureLogFields } from './deliveries.errors';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryAttemptService } from './delivery-attempt.service';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryQueueService } from './delivery-queue.service';
import { DeliveryMetrics } from './delivery.metrics';

/**
 * Consumes the delivery queue: one attempt per job run (after the attempts
 * made before the job, `priorAttempts`), exponential backoff with jitter
 * between attempts, and after the last attempt the job stays in BullMQ's
 * failed set (the dead-letter list) with status `dead`. A watchdog replaces
 * the worker when it stops fetching while deliveries are due (see
 * `@freeride/queue-watchdog`): retries and recovered deliveries depend on it.
 */
@Injectable()
export class DeliveryWorkerService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(DeliveryWorkerService.name);
  private readonly connections = new Map<Worker, RedisClient>();
  private watchdog?: QueueWatchdog<Worker<DeliveryJobData>>;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly attempts: DeliveryAttemptService,
    private readonly metrics: DeliveryMetrics,
    private readonly repository: DeliveriesRepository,
    private readonly deliveryQueue: DeliveryQueueService,
  ) {}

  onApplicationBootstrap(): void {
    this.watchdog = new QueueWatchdog({
      createWorker: () => this.createWorker(),
      disposeWorker: async (worker) => {
        await worker.close(true);
        this.connections.get(worker)?.disconnect();
        this.connections.delete(worker);
      },
      graceMs: WORKER_STUCK_GRACE_MS,
      onCheck: (overdueMs) => this.metrics.overdue.set(overdueMs / 1000),
      onCheckError: (err) =>
        this.logger.warn(
          { error: err.message },
          'delivery queue check failed; the next one tries again',
        ),
      onReplace: (overdueMs) => {
        this.metrics.workerReplacements.inc();
        this.logger.warn(
          { overdueMs },
          'delivery worker started no job while deliveries were due; replaced it',
        );
      },
      queue: this.deliveryQueue.queue,
      redis: this.deliveryQueue.connection,
    });
    this.watchdog.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watchdog?.close();
    await this.attempts.flush();
    for (const connection of this.connections.values()) connection.disconnect();
  }

  /** A worker on a connection of its own, with its listeners. */
  private createWorker(): Worker<DeliveryJobData> {
    const { backoffBaseMs, backoffMaxMs, concurrency, lockMs } =
      this.config.delivery;
    const connection = createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    const worker = new Worker<DeliveryJobData>(
      DELIVERY_QUEUE,
      (job) => this.attempts.run(job.data, attemptsOf(job) + 1),
      {
        concurrency,
        connection,
        prefix: BULLMQ_PREFIX,
        lockDuration: lockMs,
        settings: {
          // attemptsMade is 1-based: the first retry follows attempt 1.
          backoffStrategy: (attemptsMade: number, _type, _err, job) =>
            backoffDelayMs(
              attemptsMade -
                1 +
                ((job?.data as DeliveryJobData | undefined)?.priorAttempts ??
                  0),
              {
                baseMs: backoffBaseMs,
                jitter: 'equal',
                maxMs: backoffMaxMs,
              },
            ),
        },
        stalledInterval: lockMs,
      },
    );
    this.connections.set(worker, connection);
    worker.on('failed', (job, err) => {
      if (!job) return;
      const final =
        err instanceof UnrecoverableError ||
        job.attemptsMade >= (job.opts.attempts ?? 1);
      this.metrics.attempts.inc({ outcome: final ? 'dead' : 'retry' });
      const attempts = attemptsOf(job);
      if (!final) {
        this.logger.warn(
          { attempts, ...failureLogFields(err), triggerId: job.data.triggerId },
          'delivery attempt failed; retried after its backoff',
        );
        return;
      }
      this.logger.warn(
        { attempts, err, triggerId: job.data.triggerId },
        'webhook delivery moved to the dead-letter list',
      );
      this.repository
        .markAttempt(job.data.triggerId, {
          attempts,
          error: err.message,
          status: 'dead',
        })
        .catch((e: unknown) =>
          this.logger.error(
            { err: e, triggerId: job.data.triggerId },
            'dead-letter status not stored',
          ),
        );
    });
    worker.on('error', (err) =>
      this.logger.error({ err }, 'delivery worker error'),
    );
    return worker;
  }
}

/** Attempts made so far: those before the job, then the job's own. */
function attemptsOf(job: Job<DeliveryJobData>): number {
  return (job.data.priorAttempts ?? 0) + job.attemptsMade;
}
