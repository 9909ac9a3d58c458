import { nestLogSink, packageVersion } from '@freeride/observability';

import { type INestApplication, Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import type { TradingConfig } from './config/trading.config';
import { runMigrations } from './database/migrate';

/** Applies pending migrations before the app starts, when `TRADING_MIGRATE_ON_START` allows. */
export async function migrateOnStart(config: TradingConfig): Promise<void> {
  if (!config.migrateOnStart) return;
  await runMigrations(
    config.databaseUrl,
    nestLogSink(new Logger('Migrations')),
  );
}

/** OpenAPI at `/docs` and `/docs/json`. */
export function configureApp(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Freeride trading alerts')
      .setDescription('Alert rules, deliveries and operator routes')
      .setVersion(packageVersion())
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/json',
  });
}
