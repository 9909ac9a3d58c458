import {
  type ManagedProcess,
  OtlpCollector,
  builtAppCommand,
  ensureElasticsearch,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startPostgres,
  startProcess,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ROOT } from './deploy-tools';

type Servers = {
  esUrl: string;
  postgresUrl: string;
  redisUrl: string;
};

/** Each app's environment in the image, beside the servers' URLs. */
const APP_ENV: Record<
  string,
  { env: (s: Servers, port: number) => Record<string, string> }
> = {
  anomaly: {
    env: (s, port) => ({
      ANOMALY_PORT: String(port),
      ELASTICSEARCH_URL: s.esUrl,
      REDIS_URL: s.redisUrl,
    }),
  },
  ingest: {
    env: (s, port) => ({
      ELASTICSEARCH_URL: s.esUrl,
      INGEST_LOG_TO_ELASTICSEARCH: 'false',
      INGEST_PORT: String(port),
      INGEST_TOKENS: 'node=layout-test-token-0123456789',
      REDIS_URL: s.redisUrl,
    }),
  },
  'market-gateway': {
    env: (s, port) => ({
      ALPHAVANTAGE_API_KEYS: 'k',
      FINNHUB_API_KEYS: 'k',
      MARKET_GATEWAY_PORT: String(port),
      MASSIVE_API_KEYS: 'k',
      PROBE_INTERVAL_MS: '0',
      REDIS_URL: s.redisUrl,
    }),
  },
  trading: {
    env: (s, port) => ({
      TRADING_ADMIN_TOKEN: 'layout-test-admin-token-0123',
      TRADING_DATABASE_URL: s.postgresUrl,
      TRADING_PORT: String(port),
      TRADING_REDIS_URL: s.redisUrl,
    }),
  },
};

/**
 * Lays out `dir` as the image's /app: dist/apps/<app> plus the production node_modules its
 * pruned package-lock.json lists (what `npm ci --omit=dev` installs there), hard-linked from
 * the workspace's node_modules. Nothing else: no sources, no dev dependencies.
 */
function layOutImage(app: string, dir: string): number {
  const dist = dirname(builtAppCommand(app as never).args[1]);
  cpSync(dist, dir, { recursive: true });
  const lock = JSON.parse(
    readFileSync(join(dist, 'package-lock.json'), 'utf8'),
  ) as { packages: Record<string, { dev?: boolean; optional?: boolean }> };
  let copied = 0;
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (path === '' || meta.dev) continue;
    const from = join(ROOT, path);
    // npm ci skips optional packages of other platforms (msgpackr-extract-darwin-arm64...).
    if (meta.optional && !existsSync(from)) continue;
    if (!existsSync(from))
      throw new Error(`${path} (in the pruned lock) is not in node_modules`);
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    if (existsSync(join(dir, path))) continue;
    execFileSync('cp', ['-al', from, join(dir, path)]);
    copied++;
  }
  return copied;
}

describe('each app started from a directory laid out as its image', () => {
  let servers: Servers;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const redis = await startRedis();
    const postgres = await startPostgres();
    cleanups.push(
      () => redis.stop(),
      () => postgres.stop(),
    );
    servers = {
      esUrl: (await ensureElasticsearch()).url,
      postgresUrl: postgres.url,
      redisUrl: redis.url,
    };
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it.each(Object.keys(APP_ENV))(
    '%s: from the image layout it answers /health/live and its OTel auto-instrumentation patches node_modules',
    async (app) => {
      const dir = makeTempDir(`image-${app}-`);
      const collector = new OtlpCollector();
      await collector.start();
      let proc: ManagedProcess | undefined;
      try {
        expect(layOutImage(app, dir)).toBeGreaterThan(0);
        expect(existsSync(join(dir, 'node_modules/typescript'))).toBe(false);
        expect(existsSync(join(dir, 'node_modules/jest'))).toBe(false);
        const port = await getFreePort();
        // The image's command, with its entrypoint: a secret read from a file.
        const secret = join(dir, 'otel-headers');
        execFileSync('sh', ['-c', `printf 'x=y' > "${secret}"`]);
        proc = await startProcess(
          join(ROOT, 'deploy/docker/env-from-files.sh'),
          [process.execPath, '--enable-source-maps', 'main.js'],
          {
            cwd: dir,
            env: {
              ...APP_ENV[app].env(servers, port),
              NODE_PATH: '',
              OTEL_BSP_SCHEDULE_DELAY: '200',
              OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
              OTEL_EXPORTER_OTLP_HEADERS_FROM_FILE: secret,
              OTEL_SDK_DISABLED: 'false',
            },
            logFile: join(dir, 'app.log'),
            name: `${app} (image layout)`,
          },
        );
        await proc.waitUntilReady(
          async () =>
            (
              await fetch(`http://127.0.0.1:${port}/health/live`).catch(
                () => undefined,
              )
            )?.ok === true,
          `${app} /health/live`,
          90_000,
        );
        // A traced request: a span of the http instrumentation (a core module) and one of
        // the express instrumentation, which only exists when its require hook patched the
        // express of the image's node_modules (a bundled copy would go unpatched).
        await fetch(`http://127.0.0.1:${port}/no-such-route`);
        const wanted = [
          '@opentelemetry/instrumentation-http',
          '@opentelemetry/instrumentation-express',
        ];
        await waitFor(
          () =>
            wanted.every((scope) =>
              collector.spans.some((span) => span.scope === scope),
            ),
          {
            description: `${app}: spans of ${wanted.join(' and ')}`,
            timeoutMs: 30_000,
          },
        ).catch((err: unknown) => {
          const seen = [...new Set(collector.spans.map((s) => s.scope))];
          throw new Error(`${String(err)}; scopes seen: ${seen.join(', ')}`);
        });
      } finally {
        await proc?.stop({ timeoutMs: 20_000 });
        await collector.stop();
        removeTempDir(dir);
      }
    },
  );
});
