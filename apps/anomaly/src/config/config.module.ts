import { Global, Module } from '@nestjs/common';

import { ANOMALY_CONFIG, loadAnomalyConfigFromEnv } from './anomaly.config';

/** Provides the validated {@link AnomalyConfig}; start-up fails naming every bad variable. */
@Global()
@Module({
  exports: [ANOMALY_CONFIG],
  providers: [
    { provide: ANOMALY_CONFIG, useFactory: loadAnomalyConfigFromEnv },
  ],
})
export class AnomalyConfigModule {}
