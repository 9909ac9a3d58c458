import { Module } from '@nestjs/common';

import { ChannelSenderService } from './channel-sender.service';
import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { DeliveryAttemptService } from './delivery-attempt.service';
import { DeliveryQueueService } from './delivery-queue.service';
import { DeliveryWorkerService } from './delivery-worker.service';
import { DeliveryMetrics } from './delivery.metrics';

/** Deliveries (signed webhooks, Slack, Discord, email) through BullMQ, with retries and a dead-letter list. */
@Module({
  controllers: [DeliveriesController],
  exports: [DeliveryQueueService],
  providers: [
    ChannelSenderService,
    DeliveriesRepository,
    DeliveriesService,
    DeliveryAttemptService,
    DeliveryMetrics,
    DeliveryQueueService,
    DeliveryWorkerService,
  ],
})
export class DeliveriesModule {}
