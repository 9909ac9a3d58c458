// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { bootstrapApp, exitOnStartupFailure } from '@freeride/observability';

import { AppModule } from './app.module';
import { configureApp, migrateOnStart } from './app.setup';
import { loadConfig } from './config/trading.config';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await bootstrapApp(AppModule.forRoot(config), {
    configure: configureApp,
    host: config.http.host,
    port: config.http.port,
    prepare: () => migrateOnStart(config),
  });
}

main().catch(exitOnStartupFailure('trading'));
