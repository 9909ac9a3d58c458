/* eslint-disable no-console -- a CLI: prints each app's verdict */
/**
 * Validates deployment environments with each app's own configuration loader
 * (apps/<app>/src/config/<app>.config.ts: the same zod schema and checks the app runs at
 * start, including reading the *_FILE secrets it names).
 *
 *   echo '[{"name":"compose ingest","app":"ingest","env":{...}}]' | \
 *     node -r @swc-node/register tools/deploy/check-app-env.ts
 *
 * Prints one line per entry (`ok NAME` or `invalid NAME: problems`), exit 1 when any is invalid.
 * Runs as a child process of the deploy tests: they only read its verdicts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Entry {
  app: string;
  env: Record<string, string>;
  name: string;
}

type Loader = (env: Record<string, string | undefined>) => unknown;

const ROOT = join(__dirname, '../..');
const APPS = new Set(['anomaly', 'ingest', 'market-gateway', 'trading']);

function loaderOf(app: string): Loader {
  if (!APPS.has(app)) throw new Error(`unknown app ${app}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app's own config module, chosen at run time
  const mod = require(
    join(ROOT, 'apps', app, 'src/config', `${app}.config`),
  ) as Record<string, unknown>;
  const pascal = app.replace(/(^|-)([a-z])/g, (_m, _d, c: string) =>
    c.toUpperCase(),
  );
  const load = mod['loadConfig'] ?? mod[`load${pascal}Config`];
  if (typeof load !== 'function')
    throw new Error(`apps/${app}: no configuration loader exported`);
  return load as Loader;
}

function main(): void {
  const entries = JSON.parse(readFileSync(0, 'utf8')) as Entry[];
  let invalid = 0;
  for (const { app, env, name } of entries) {
    try {
      loaderOf(app)(env);
      console.log(`ok ${name}`);
    } catch (err) {
      invalid++;
      console.log(
        `invalid ${name}: ${(err as Error).message.replace(/\n/g, ' | ')}`,
      );
    }
  }
  process.exit(invalid > 0 ? 1 : 0);
}

main();
