import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import {
  BULLMQ_PREFIX,
  COMPLETED_JOB_RETENTION_SECONDS,
  DELIVERY_QUEUE,
  DELIVER_JOB,
  JITTER_BACKOFF,
} from './deliveries.constants';
import { DeliveriesRepository } from './deliveries.repository';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryMetrics } from './delivery.metrics';

/** Producer side of the delivery queue. */
@Injectable()
export class DeliveryQueueService implements OnApplicationShutdown {
  readonly queue: Queue<DeliveryJobData>;
  private readonly connection: RedisClient;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly repository: DeliveriesRepository,
    metrics: DeliveryMetrics,
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

  /** Enqueues deliveries; the job id is the trigger id, so a second enqueue is a no-op. */
  async enqueue(jobs: DeliveryJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((data) => ({
        data,
        name: DELIVER_JOB,
        opts: {
          attempts: this.config.delivery.attempts,
          backoff: { type: JITTER_BACKOFF },
          jobId: data.triggerId,
          removeOnComplete: { age: COMPLETED_JOB_RETENTION_SECONDS },
          removeOnFail: false,
        },
      })),
    );
  }

  /**
   * After a restart: reconciles triggers still `pending` in PostgreSQL with
   * their jobs. A completed job (delivered, status write lost in the crash) is
   * marked delivered, a failed one dead, a missing one is enqueued again.
   */
  async recover(
    triggerIds: readonly string[],
  ): Promise<{ enqueued: number; reconciled: number }> {
    const missing: string[] = [];
    const completed: string[] = [];
    const failed: string[] = [];
    for (const id of triggerIds) {
      const state = await this.queue.getJobState(id);
      if (state === 'completed') completed.push(id);
      else if (state === 'failed') failed.push(id);
      else if (state === 'unknown') missing.push(id);
    }
    await this.repository.markDelivered(
      completed.map((triggerId) => ({
        attempts: 1,
        statusCode: 200,
        triggerId,
      })),
    );
    for (const id of failed) {
      await this.repository.markAttempt(id, {
        attempts: this.config.delivery.attempts,
        status: 'dead',
      });
    }
    await this.enqueue(missing.map((triggerId) => ({ triggerId })));
    return {
      enqueued: missing.length,
      reconciled: completed.length + failed.length,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
