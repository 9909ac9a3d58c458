import { Module } from '@nestjs/common';

import { AlertingModule } from '../alerting/alerting.module';
import { AnomaliesModule } from '../anomalies/anomalies.module';
import { AnomaliesController } from './anomalies.controller';
import { DetectionService } from './detection.service';

@Module({
  controllers: [AnomaliesController],
  exports: [DetectionService],
  imports: [AlertingModule, AnomaliesModule],
  providers: [DetectionService],
})
export class DetectionModule {}
