import { Injectable } from '@nestjs/common';

import { DeliveryNotDeadError } from './deliveries.errors';
import {
  type DeadDelivery,
  DeliveriesRepository,
} from './deliveries.repository';
import { DeliveryQueueService } from './delivery-queue.service';

/** Dead-letter list and replay. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly queue: DeliveryQueueService,
    private readonly repository: DeliveriesRepository,
  ) {}

  dead(): Promise<DeadDelivery[]> {
    return this.repository.dead(500);
  }

  /** Moves a dead delivery back to the queue with a fresh set of attempts. */
  async replay(triggerId: string): Promise<void> {
    if (!(await this.repository.isDead(triggerId)))
      throw new DeliveryNotDeadError(triggerId);
    const job = await this.queue.queue.getJob(triggerId);
    await this.repository.markAttempt(triggerId, {
      attempts: 0,
      status: 'pending',
    });
    if (job && (await job.isFailed())) {
      await job.retry('failed', {
        resetAttemptsMade: true,
        resetAttemptsStarted: true,
      });
      return;
    }
    // The failed job was removed from Redis: enqueue the trigger again under a new job id.
    await this.queue.queue.add(
      'deliver',
      { triggerId },
      {
        attempts: 1,
        jobId: `${triggerId}:replay:${Date.now()}`,
        removeOnFail: false,
      },
    );
  }
}
