import { ObservabilityModule } from '@freeride/observability';

import { Module } from '@nestjs/common';

import { loadAnomalyConfigFromEnv } from './config/anomaly.config';
import { AnomalyConfigModule } from './config/config.module';
import { DetectionModule } from './detection/detection.module';
import { PrometheusModule } from './prometheus/prometheus.module';

@Module({
  imports: [
    AnomalyConfigModule,
    DetectionModule,
    ObservabilityModule.forRoot({
      logLevel: loadAnomalyConfigFromEnv().logLevel,
      metricsPrefix: 'freeride_anomaly_',
      serviceName: 'anomaly',
    }),
    PrometheusModule,
  ],
})
export class AppModule {}
