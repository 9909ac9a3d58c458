// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { bootstrapApp } from '@freeride/observability';

import { Logger, Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { AppModule } from './app.module';
import { loadConfig } from './config/trading.config';
import { runMigrations } from './database/migrate';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new Logger('TradingMain');
  if (config.migrateOnStart) {
    await runMigrations(config.databaseUrl, {
      debug: (f, m) => logger.debug(f, m),
      error: (f, m) => logger.error(f, m),
      info: (f, m) => logger.log(f, m),
      warn: (f, m) => logger.warn(f, m),
    });
  }
  @Module({ imports: [AppModule.forRoot(config)] })
  class TradingRootModule {}
  await bootstrapApp(TradingRootModule, {
    configure: (app) => {
      const document = SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Freeride trading alerts')
          .setDescription('Alert rules, deliveries and operator routes')
          .setVersion('1')
          .addBearerAuth()
          .build(),
      );
      SwaggerModule.setup('docs', app, document, {
        jsonDocumentUrl: 'docs/json',
      });
    },
    host: config.http.host,
    port: config.http.port,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `trading failed to start: ${String((err as Error)?.stack ?? err)}\n`,
  );
  process.exit(1);
});
