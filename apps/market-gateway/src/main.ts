// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { bootstrapApp } from '@freeride/observability';

import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { loadConfigFromEnv } from './config/market-gateway.config';

async function main(): Promise<void> {
  const config = loadConfigFromEnv();
  await bootstrapApp(AppModule.forRoot(config), {
    configure: configureApp,
    host: config.http.host,
    port: config.http.port,
  });
}

main().catch((err: unknown) => {
  // The logger may not exist yet: a bad config fails before Nest starts.
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
