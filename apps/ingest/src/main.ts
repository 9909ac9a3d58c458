// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { bootstrapApp, exitOnStartupFailure } from '@freeride/observability';

import { AppModule } from './app.module';
import { installTemplatesEarly } from './app.setup';
import { loadConfig } from './config/ingest.config';
import { countExternalMemoryInGlobalLimit } from './external-memory-gc';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  countExternalMemoryInGlobalLimit(config.gcExternalInGlobalLimit);
  await bootstrapApp(AppModule.forRoot(config), {
    bodyParser: false,
    host: config.http.host,
    port: config.http.port,
    prepare: () => installTemplatesEarly(config),
  });
}

main().catch(exitOnStartupFailure('ingest'));
