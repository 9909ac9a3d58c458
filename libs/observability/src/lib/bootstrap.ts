import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';

/** Options of {@link bootstrapApp}. */
export interface BootstrapOptions {
  /**
   * Parse JSON and urlencoded bodies with Express' parsers. The ingest turns
   * this off to read raw OTLP bodies itself.
   * @default true
   */
  bodyParser?: boolean;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. */
  port: number;
  /**
   * Runs before the Nest app is created, for work that must be done before
   * the first log line or request (migrations, index templates).
   */
  prepare?: () => Promise<void>;
  /** Called after creation, before listen (global pipes, swagger...). */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

/**
 * Creates and starts a Nest app the platform's way: `prepare`, buffered start-up logs
 * flushed into the pino logger, shutdown hooks (SIGTERM drains and flushes
 * telemetry), then listen.
 */
export async function bootstrapApp(
  module: Type<unknown> | DynamicModule,
  options: BootstrapOptions,
): Promise<INestApplication> {
  await options.prepare?.();
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: options.bodyParser ?? true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
  await options.configure?.(app);
  await app.listen(options.port, options.host ?? '127.0.0.1');
  return app;
}
