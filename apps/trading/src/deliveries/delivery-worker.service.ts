import { backoffDelayMs } from '@freeride/backoff';
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
import { BULLMQ_PREFIX, DELIVERY_QUEUE } from './deliveries.constants';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryAttemptService } from './delivery-attempt.service';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryMetrics } from './delivery.metrics';

/**
 * Consumes the delivery queue: one attempt per job run (after the attempts
 * made before the job, `priorAttempts`), exponential backoff with jitter
 * between attempts, and after the last attempt the job stays in BullMQ's
 * failed set (the dead-letter list) with status `dead`.
 */
@Injectable()
export class DeliveryWorkerService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(DeliveryWorkerService.name);
  private connection?: RedisClient;
  private worker?: Worker<DeliveryJobData>;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly attempts: DeliveryAttemptService,
    private readonly metrics: DeliveryMetrics,
    private readonly repository: DeliveriesRepository,
  ) {}

  onApplicationBootstrap(): void {
    const { backoffBaseMs, backoffMaxMs, concurrency, lockMs } =
      this.config.delivery;
    this.connection = createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    this.worker = new Worker<DeliveryJobData>(
      DELIVERY_QUEUE,
      (job) => this.attempts.run(job.data, attemptsOf(job) + 1),
      {
        concurrency,
        connection: this.connection,
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
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final =
        err instanceof UnrecoverableError ||
        job.attemptsMade >= (job.opts.attempts ?? 1);
      this.metrics.attempts.inc({ outcome: final ? 'dead' : 'retry' });
      if (!final) return;
      const attempts = attemptsOf(job);
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
    this.worker.on('error', (err) =>
      this.logger.error({ err }, 'delivery worker error'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.attempts.flush();
    this.connection?.disconnect();
  }
}

/** Attempts made so far: those before the job, then the job's own. */
function attemptsOf(job: Job<DeliveryJobData>): number {
  return (job.data.priorAttempts ?? 0) + job.attemptsMade;
}
