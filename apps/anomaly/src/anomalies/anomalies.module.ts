import { Module } from '@nestjs/common';

import { AnomalyStoreService } from './anomaly-store.service';

@Module({
  exports: [AnomalyStoreService],
  providers: [AnomalyStoreService],
})
export class AnomaliesModule {}
