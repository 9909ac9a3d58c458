import { packageVersion } from '@freeride/observability';

import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Validation and OpenAPI (`/docs`, `/docs-json`), shared by main.ts and the e2e tests. */
export function configureApp(app: INestApplication): void {
  app.useGlobalPipes(
    new ValidationPipe({
      forbidUnknownValues: true,
      transform: true,
      whitelist: true,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Freeride market-data gateway')
      .setDescription(
        'Quotes, bars and news with provider failover, cache and provider health',
      )
      .setVersion(packageVersion())
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
