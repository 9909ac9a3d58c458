// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { bootstrapApp, exitOnStartupFailure } from '@freeride/observability';

import { AppModule } from './app.module';
import { loadConfig } from './config/anomaly.config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await bootstrapApp(AppModule.forRoot(config), {
    host: config.http.host,
    port: config.http.port,
  });
}

main().catch(exitOnStartupFailure('anomaly'));
