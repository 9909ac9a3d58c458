import type { RedisClient } from '@freeride/redis-connection';

import { Module } from '@nestjs/common';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import { REDIS_WRITER } from '../redis/redis.module';
import { INGEST_STREAMS, createIngestStreams } from './ingest-streams';
import { OtlpAuthGuard } from './otlp-auth.guard';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpController } from './otlp.controller';
import { OtlpMetrics } from './otlp.metrics';
import { OtlpService } from './otlp.service';

@Module({
  controllers: [OtlpController],
  exports: [INGEST_STREAMS],
  providers: [
    {
      inject: [REDIS_WRITER, INGEST_CONFIG],
      provide: INGEST_STREAMS,
      useFactory: (redis: RedisClient, config: IngestConfig) =>
        createIngestStreams(redis, config),
    },
    OtlpAuthGuard,
    OtlpExceptionFilter,
    OtlpMetrics,
    OtlpService,
  ],
})
export class OtlpModule {}
