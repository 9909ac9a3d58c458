/**
 * Reads from each app's code what the docs publish about it, without starting
 * a server: its OpenAPI document (the Nest module created in preview mode, so
 * no provider runs and nothing connects), its configuration schema (the zod
 * schema of `apps/<app>/src/config/<app>.config.ts` as JSON Schema) and the
 * Prometheus metrics it registers (prom-client constructors in its sources and
 * its libraries, and prom-client's default metrics under its prefix).
 *
 *   node -r @swc-node/register tools/docs/extract-apps.ts <out-dir> <version>
 *
 * Writes `<out-dir>/<app>.json` per app.
 */
import 'reflect-metadata';

import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

import { APPS, type AppDescriptor } from './lib/apps';
import { appMetrics } from './lib/metrics';
import type { AppFacts } from './lib/structure';

const ROOT = resolve(__dirname, '../..');

type Loader = (env: Record<string, string | undefined>) => unknown;

/** The app's zod env schema and config loader, by the names every app exports. */
function configExports(app: string): { loader: Loader; schema: z.ZodType } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(
    join(ROOT, 'apps', app, 'src/config', `${app}.config.ts`),
  ) as Record<string, unknown>;
  const schemaKey =
    'configSchema' in mod
      ? 'configSchema'
      : Object.keys(mod).find((k) => k.endsWith('EnvSchema'));
  const loaderKey =
    'loadConfig' in mod
      ? 'loadConfig'
      : Object.keys(mod).find((k) => /^load\w*Config$/.test(k));
  if (!schemaKey || !loaderKey) {
    throw new Error(
      `apps/${app}: config module exports no configSchema/loadConfig`,
    );
  }
  return {
    loader: mod[loaderKey] as Loader,
    schema: mod[schemaKey] as z.ZodType,
  };
}

async function openApi(
  app: AppDescriptor,
  config: unknown,
  version: string,
): Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppModule } = require(
    join(ROOT, 'apps', app.name, 'src/app.module.ts'),
  ) as {
    AppModule: Type<unknown> & { forRoot?: (c: unknown) => DynamicModule };
  };
  const root = AppModule.forRoot ? AppModule.forRoot(config) : AppModule;
  const nest = await NestFactory.create(root, {
    abortOnError: false,
    logger: false,
    preview: true,
  });
  try {
    const document = SwaggerModule.createDocument(
      nest,
      new DocumentBuilder()
        .setTitle(app.title)
        .setDescription(app.description)
        .setVersion(version)
        .addBearerAuth()
        .build(),
    );
    return document as unknown as Record<string, unknown>;
  } finally {
    await nest.close();
  }
}

async function main(): Promise<void> {
  const [outDir, version] = process.argv.slice(2);
  if (!outDir || !version) {
    throw new Error('usage: extract-apps.ts <out-dir> <version>');
  }
  mkdirSync(outDir, { recursive: true });
  for (const app of APPS) {
    const { loader, schema } = configExports(app.name);
    const config = loader({ ...app.env });
    const facts: AppFacts = {
      config: z.toJSONSchema(schema, {
        io: 'input',
        unrepresentable: 'any',
      }) as AppFacts['config'],
      metrics: await appMetrics(ROOT, app.name),
      name: app.name,
      openapi: await openApi(app, config, version),
    };
    writeFileSync(
      join(outDir, `${app.name}.json`),
      `${JSON.stringify(facts, null, 2)}\n`,
    );
    process.stdout.write(
      `${app.name}: ${Object.keys(facts.openapi.paths as object).length} paths, ` +
        `${Object.keys(facts.config.properties ?? {}).length} config keys, ${facts.metrics.length} metrics\n`,
    );
  }
}

main().then(
  // Some modules open clients (Redis) when they are defined, before any
  // provider runs; they would keep the process alive.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `extract-apps: ${(err as Error).stack ?? String(err)}\n`,
    );
    process.exit(1);
  },
);
