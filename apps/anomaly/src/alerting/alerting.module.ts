import { Module } from '@nestjs/common';

import { AlertingService } from './alerting.service';

@Module({
  exports: [AlertingService],
  providers: [AlertingService],
})
export class AlertingModule {}
