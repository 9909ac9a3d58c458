import { Module } from '@nestjs/common';

import { OtlpModule } from '../otlp/otlp.module';
import { FanoutService } from './fanout.service';

@Module({ imports: [OtlpModule], providers: [FanoutService] })
export class FanoutModule {}
