import { Module } from '@nestjs/common';

import { DetectionModule } from '../detection/detection.module';
import { PrometheusSourceService } from './prometheus-source.service';

@Module({
  imports: [DetectionModule],
  providers: [PrometheusSourceService],
})
export class PrometheusModule {}
