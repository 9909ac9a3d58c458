import { Module } from '@nestjs/common';

import { DeliveriesController } from './deliveries.controller';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { DeliveryQueueService } from './delivery-queue.service';
import { DeliveryWorkerService } from './delivery-worker.service';
import { DeliveryMetrics } from './delivery.metrics';

/** Signed webhook deliveries through BullMQ, with retries and a dead-letter list. */
@Module({
  controllers: [DeliveriesController],
  exports: [DeliveryQueueService],
  providers: [
    DeliveriesRepository,
    DeliveriesService,
    DeliveryMetrics,
    DeliveryQueueService,
    DeliveryWorkerService,
  ],
})
export class DeliveriesModule {}
