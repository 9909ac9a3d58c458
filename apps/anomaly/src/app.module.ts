import { ObservabilityModule } from '@freeride/observability';

import { type DynamicModule, Global, Module } from '@nestjs/common';

import { ANOMALY_CONFIG, type AnomalyConfig } from './config/anomaly.config';
import { DetectionModule } from './detection/detection.module';
import { PrometheusModule } from './prometheus/prometheus.module';

/** The anomaly detector: the config, loaded once in main.ts, is injectable everywhere. */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: AnomalyConfig): DynamicModule {
    return {
      exports: [ANOMALY_CONFIG],
      imports: [
        ObservabilityModule.forRoot({
          logLevel: config.logLevel,
          metricsPrefix: 'freeride_anomaly_',
          serviceName: 'anomaly',
        }),
        DetectionModule,
        PrometheusModule,
      ],
      module: AppModule,
      providers: [{ provide: ANOMALY_CONFIG, useValue: config }],
    };
  }
}
