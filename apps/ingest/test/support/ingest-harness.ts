import {
  type ManagedProcess,
  type RedisServer,
  builtAppCommand,
  ensureElasticsearch,
  getFreePort,
  makeTempDir,
  startProcess,
  startRedis,
} from '@freeride/testing';

import {
  type Client,
  Client as ElasticsearchClient,
} from '@elastic/elasticsearch';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');

/** Bearer tokens the test ingest accepts, per source. */
export const TOKENS = {
  node: 'node-test-token-0123456789',
  python: 'python-test-token-0123456789',
  wordpress: 'wordpress-test-token-0123456789',
} as const;

export interface IngestOptions {
  esUrl: string;
  env?: Record<string, string>;
  namespace: string;
  redisUrl: string;
}

/** A real ingest process (the production build, dist/apps/ingest), on a free port. */
export class IngestProcess {
  proc!: ManagedProcess;
  port!: number;
  private logDir!: string;

  constructor(private readonly options: IngestOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ??= await getFreePort();
    this.logDir ??= makeTempDir('ingest-e2e-');
    const { args, command, cwd } = builtAppCommand('ingest');
    this.proc = await startProcess(command, args, {
      cwd,
      env: {
        ELASTICSEARCH_URL: this.options.esUrl,
        ES_NAMESPACE: this.options.namespace,
        INDEXER_FLUSH_MS: '200',
        INGEST_CONSUMER_NAME: `e2e-${this.options.namespace}`,
        INGEST_PORT: String(this.port),
        INGEST_TOKENS: Object.entries(TOKENS)
          .map(([source, token]) => `${source}=${token}`)
          .join(','),
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        REDIS_URL: this.options.redisUrl,
        ...this.options.env,
      },
      logFile: join(this.logDir, `ingest-${Date.now()}.log`),
      name: 'ingest',
    });
    // Ready, not merely live: the Redis writer has no offline queue, so a
    // request before its connection is up is answered 503 (as a load
    // balancer that waits for readiness would never see).
    await this.proc.waitUntilReady(
      async () => {
        try {
          return (await fetch(`${this.url}/health/ready`)).ok;
        } catch {
          return false;
        }
      },
      'GET /health/ready answers 200',
      90_000,
    );
  }

  async stop(): Promise<void> {
    await this.proc?.stop({ timeoutMs: 20_000 });
  }

  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  /** POSTs an OTLP body; returns status, headers and body text. */
  async post(
    signal: 'logs' | 'metrics' | 'traces',
    body: Uint8Array | string,
    headers: Record<string, string> = {},
  ): Promise<{ body: string; headers: Headers; status: number }> {
    const res = await fetch(`${this.url}/v1/${signal}`, {
      body: typeof body === 'string' ? body : Buffer.from(body),
      headers: {
        authorization: `Bearer ${TOKENS.node}`,
        'content-type': 'application/json',
        ...headers,
      },
      method: 'POST',
    });
    return { body: await res.text(), headers: res.headers, status: res.status };
  }
}

/** Counts documents matching a query string across the namespace's data streams. */
export async function countDocs(
  es: Client,
  index: string,
  query: string,
): Promise<number> {
  await es.indices.refresh({
    allow_no_indices: true,
    expand_wildcards: 'all',
    ignore_unavailable: true,
    index,
  });
  const res = await es.count({
    allow_no_indices: true,
    ignore_unavailable: true,
    index,
    q: query,
  });
  return res.count;
}

/** A unique, valid data stream namespace per test run. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Elasticsearch client, a fresh Redis and an ingest process for one namespace. */
export interface IngestEnvironment {
  es: Client;
  ingest: IngestProcess;
  redis: RedisServer;
  stop(): Promise<void>;
}

/** Starts what an ingest e2e suite needs against the shared test Elasticsearch. */
export async function startIngestEnvironment(
  namespace: string,
  env?: Record<string, string>,
): Promise<IngestEnvironment> {
  const { url } = await ensureElasticsearch();
  const es = new ElasticsearchClient({ node: url });
  const redis = await startRedis();
  const ingest = new IngestProcess({
    env,
    esUrl: url,
    namespace,
    redisUrl: redis.url,
  });
  await ingest.start();
  return {
    es,
    ingest,
    redis,
    stop: async () => {
      await ingest.stop();
      await redis.stop();
      await es.close();
    },
  };
}
