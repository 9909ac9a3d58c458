import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { DEFAULT_ES_URL, STACK_DIR } from './testing.constants';

/** Elasticsearch as returned by {@link ensureElasticsearch}. */
export interface ElasticsearchHandle {
  /** True when this call started Elasticsearch (it was not answering before). */
  readonly startedHere: boolean;
  /** Base URL, e.g. `http://127.0.0.1:9200` (no trailing slash). */
  readonly url: string;
  /** Stops and starts it again through the stack script (data kept). */
  restart(): Promise<void>;
  /** Stops it through the stack script. */
  stop(): Promise<void>;
}

/** Options of {@link ensureElasticsearch}. */
export interface EnsureElasticsearchOptions {
  /**
   * Upper bound for the stack script (unzip on first use, JVM start, yellow health).
   * @default 180000
   */
  timeoutMs?: number;
  /** URL to use. @default process.env.ES_URL, else http://127.0.0.1:9200 */
  url?: string;
}

function resolveUrl(url?: string): string {
  return (url ?? process.env['ES_URL'] ?? DEFAULT_ES_URL).replace(/\/+$/, '');
}

function loopbackPort(url: string): number {
  const parsed = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new Error(
      `Elasticsearch at ${url} does not answer, and it is not on loopback, so it cannot be started here`,
    );
  }
  return Number(parsed.port || 9200);
}

/**
 * True when `GET <url>/_cluster/health` answers 200. (The integration-test distribution has
 * no `rest-root` module, so `GET /` answers 405: do not probe `/`.)
 */
export async function elasticsearchAnswers(
  url: string = resolveUrl(),
  timeoutMs = 3000,
): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_cluster/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Runs `tools/stack/<script> <args...>` with `env` over the environment and rejects with its
 * output when it fails or outlives `timeoutMs`.
 */
export function runStackScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(STACK_DIR, script), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve();
      } else {
        reject(
          new Error(
            `tools/stack/${script} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`,
          ),
        );
      }
    });
  });
}

/**
 * Starts Elasticsearch through `tools/stack/elasticsearch.sh start` on the port of
 * `ES_URL` (default 9200) and waits for yellow health. No-op when it already answers.
 * For fault tests: pair with {@link stopElasticsearch}.
 */
export async function startElasticsearch(
  options: EnsureElasticsearchOptions = {},
): Promise<void> {
  const url = resolveUrl(options.url);
  await runStackScript(
    'elasticsearch.sh',
    ['start'],
    { ES_PORT: String(loopbackPort(url)) },
    options.timeoutMs ?? 180_000,
  );
}

/**
 * Stops the Elasticsearch that `tools/stack/elasticsearch.sh` started on the port of `ES_URL`
 * (SIGTERM, bounded wait). Its data directory is kept, so {@link startElasticsearch} brings the
 * same indices back.
 */
export async function stopElasticsearch(
  options: EnsureElasticsearchOptions = {},
): Promise<void> {
  const url = resolveUrl(options.url);
  await runStackScript(
    'elasticsearch.sh',
    ['stop'],
    { ES_PORT: String(loopbackPort(url)) },
    options.timeoutMs ?? 90_000,
  );
}

/**
 * Returns a running Elasticsearch: `ES_URL` (or http://127.0.0.1:9200) if it answers, else it
 * starts one through the stack script (20–40 s the first time) and sets `process.env.ES_URL`.
 *
 * It does not stop what it started: use {@link esGlobalSetup} / {@link esGlobalTeardown} in a
 * jest config for that, or call `stop()`.
 */
export async function ensureElasticsearch(
  options: EnsureElasticsearchOptions = {},
): Promise<ElasticsearchHandle> {
  const url = resolveUrl(options.url);
  let startedHere = false;
  if (!(await elasticsearchAnswers(url))) {
    await startElasticsearch({ ...options, url });
    startedHere = true;
  }
  process.env['ES_URL'] = url;
  return {
    restart: async () => {
      await stopElasticsearch({ url });
      await startElasticsearch({ url });
    },
    startedHere,
    stop: () => stopElasticsearch({ url }),
    url,
  };
}

const STARTED_KEY = Symbol.for('freeride.testing.esStartedByGlobalSetup');

type GlobalWithMarker = typeof globalThis & { [STARTED_KEY]?: string };

/**
 * Jest `globalSetup` helper: ensures Elasticsearch runs and exports `ES_URL` to the test
 * workers. Remembers whether it started ES so {@link esGlobalTeardown} stops only that one.
 *
 * @example
 * // apps/ingest/test/global-setup.ts
 * export { esGlobalSetup as default } from '@freeride/testing';
 */
export async function esGlobalSetup(): Promise<void> {
  const handle = await ensureElasticsearch();
  if (handle.startedHere) {
    (globalThis as GlobalWithMarker)[STARTED_KEY] = handle.url;
  }
}

/**
 * Jest `globalTeardown` helper: stops Elasticsearch if (and only if) {@link esGlobalSetup}
 * started it in this jest run.
 */
export async function esGlobalTeardown(): Promise<void> {
  const g = globalThis as GlobalWithMarker;
  const url = g[STARTED_KEY];
  if (url) {
    delete g[STARTED_KEY];
    await stopElasticsearch({ url });
  }
}
