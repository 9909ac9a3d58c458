import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  ObservabilityModule,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { Gauge, type Registry } from 'prom-client';

import { INGEST_CONFIG, type IngestConfig } from './config/ingest.config';
import { FanoutModule } from './fanout/fanout.module';
import { IndexerModule } from './indexer/indexer.module';
import { OtlpModule } from './otlp/otlp.module';
import { RedisModule } from './redis/redis.module';
import {
  type SelfLogStats,
  createSelfLogStream,
} from './self-logs/self-log-stream';

const SELF_LOG_STATS = Symbol('SELF_LOG_STATS');

/** The OTLP ingest: the config, loaded once in main.ts, is injectable everywhere. */
@Global()
@Module({})
export class AppModule {
  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { metricsPrefix }: ResolvedObservabilityOptions,
    @Inject(SELF_LOG_STATS) stats: SelfLogStats,
  ) {
    new Gauge({
      collect() {
        this.set(stats.dropped);
      },
      help: 'Own log lines that could not be shipped to Elasticsearch',
      name: `${metricsPrefix}self_log_dropped`,
      registers: [registry],
    });
  }

  static forRoot(config: IngestConfig): DynamicModule {
    const selfLogs = createSelfLogStream({
      enabled: config.elasticsearch.selfLogs,
      nodes: config.elasticsearch.nodes,
    });
    return {
      exports: [INGEST_CONFIG],
      imports: [
        ObservabilityModule.forRoot({
          logLevel: config.logLevel,
          logStream: selfLogs.stream,
          metricsPrefix: 'freeride_ingest_',
          serviceName: 'ingest',
        }),
        RedisModule,
        OtlpModule,
        IndexerModule,
        FanoutModule,
      ],
      module: AppModule,
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        { provide: SELF_LOG_STATS, useValue: selfLogs.stats },
      ],
    };
  }
}
