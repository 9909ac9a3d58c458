/**
 * The two receivers bench:ingest compares, each started as a real process
 * on a free port: the OpenTelemetry Collector (contrib Elasticsearch
 * exporter) and our ingest (→ Redis stream → indexer).
 */
import {
  type ManagedProcess,
  type RedisServer,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  startProcess,
  startRedis,
} from '@freeride/testing';

import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');
export const TOKEN = 'bench-token-0123456789abcdef';

/** A receiver under test: where to POST OTLP logs, and how to stop it. */
export interface Receiver {
  url: string;
  /** Headers every request to it carries (authorization, mapping mode). */
  headers: Record<string, string>;
  /** Its processes by name (CPU accounting): the Collector, or our ingest and its Redis. */
  processes: Record<string, number>;
  /** The receiver's log file (kept until the bench ends). */
  logFile: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Collector's document shape: its default `otel` mapping mode, or `ecs`,
 * which its v0.150.0 exporter selects only per request, through the client
 * metadata key `X-Elastic-Mapping-Mode` (the `mapping.mode` setting is
 * deprecated and ignored); the receiver must then keep request metadata
 * (`include_metadata`) and both batching stages must carry the key.
 */
export type CollectorMapping = 'otel' | 'ecs';

/**
 * The Collector binary, built by tools/bench/peers/build-otelcol.sh when
 * missing (several minutes the first time); `undefined` with the reason
 * when it cannot be built here.
 */
export function otelcolBinary(log: (line: string) => void): {
  path?: string;
  fileStorage: boolean;
  reason?: string;
} {
  try {
    const out = execFileSync(
      'bash',
      [join(REPO, 'tools/bench/peers/build-otelcol.sh')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 1_800_000,
      },
    );
    const path = out.trim().split('\n').pop() ?? '';
    if (!existsSync(path))
      return { fileStorage: false, reason: `no binary at ${path}` };
    const fileStorage = existsSync(join(path, '..', '.with-file-storage'));
    return { fileStorage, path };
  } catch (err) {
    log(
      `OpenTelemetry Collector cannot be built here: ${(err as Error).message}`,
    );
    return { fileStorage: false, reason: (err as Error).message };
  }
}

/**
 * Starts the Collector: OTLP/HTTP receiver → batch processor →
 * Elasticsearch exporter into `index`, otherwise with default settings.
 * `mapping` picks the document shape (see {@link CollectorMapping}; for
 * `otel` bench:ingest installs a data stream template, as
 * `require_data_stream` needs; `ecs` documents land in our own ECS
 * template). The exporter's queue is the default in-memory one, or the
 * persistent `file_storage` queue; `flushTimeout` replaces its batching
 * timeout (default 10 s: a batch under 1 MB waits that long).
 */
export async function startCollector(
  binary: string,
  esUrl: string,
  index: string,
  queue: 'memory' | 'file',
  mapping: CollectorMapping = 'otel',
  flushTimeout?: string,
): Promise<Receiver> {
  const port = await getFreePort();
  const dir = makeTempDir('bench-otelcol-');
  const persistent = queue === 'file';
  const ecs = mapping === 'ecs';
  const queueLines = [
    ...(persistent ? ['      storage: file_storage'] : []),
    ...(flushTimeout
      ? ['      batch:', `        flush_timeout: ${flushTimeout}`]
      : []),
  ];
  const sendingQueue = queueLines.length
    ? `    sending_queue:\n      enabled: true\n${queueLines.join('\n')}\n`
    : '';
  const config = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
${ecs ? '        include_metadata: true\n' : ''}processors:
  batch:
${ecs ? '    metadata_keys: [X-Elastic-Mapping-Mode]\n' : ''}exporters:
  elasticsearch:
    endpoint: ${esUrl}
    logs_index: ${index}
${ecs ? '    metadata_keys: [X-Elastic-Mapping-Mode]\n' : ''}${sendingQueue}${persistent ? `extensions:\n  file_storage:\n    directory: ${dir}\n` : ''}service:
${persistent ? '  extensions: [file_storage]\n' : ''}  telemetry:
    metrics:
      level: none
    logs:
      level: warn
  pipelines:
    logs:
      receivers: [otlp]
      processors: [batch]
      exporters: [elasticsearch]
`;
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, config);
  const proc = await startProcess(binary, ['--config', configFile], {
    logFile: join(dir, 'otelcol.log'),
    name: 'otelcol',
  });
  const url = `http://127.0.0.1:${port}/v1/logs`;
  const headers: Record<string, string> = ecs
    ? { 'X-Elastic-Mapping-Mode': 'ecs' }
    : {};
  await proc.waitUntilReady(
    async () => {
      try {
        // An empty export answers 200 once the receiver listens.
        const res = await fetch(url, {
          body: new Uint8Array(0),
          headers: { ...headers, 'content-type': 'application/x-protobuf' },
          method: 'POST',
        });
        return res.status === 200;
      } catch {
        return false;
      }
    },
    'collector answers',
    60_000,
  );
  return wrap(proc, url, headers, { otelcol: proc.pid });
}

/** Starts our ingest (with its own Redis) writing to `namespace`. */
export async function startIngest(
  esUrl: string,
  namespace: string,
  redis?: RedisServer,
): Promise<Receiver & { redis: RedisServer; metricsUrl: string }> {
  const ownRedis = redis ?? (await startRedis());
  const port = await getFreePort();
  const built = builtAppCommand('ingest');
  // BENCH_INGEST_CPU_PROF=DIR: a V8 CPU profile of the ingest per start, written at its exit.
  const profile = process.env['BENCH_INGEST_CPU_PROF'];
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const proc = await startProcess(built.command, [...nodeArgs, ...built.args], {
    cwd: built.cwd,
    env: {
      ELASTICSEARCH_URL: esUrl,
      ES_NAMESPACE: namespace,
      // Like the Collector, no fan-out to the anomaly detector.
      FANOUT_ENABLED: 'false',
      INGEST_LOG_TO_ELASTICSEARCH: 'false',
      INGEST_PORT: String(port),
      INGEST_TOKENS: `bench=${TOKEN}`,
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      REDIS_URL: ownRedis.url,
    },
    logFile: join(makeTempDir('bench-ingest-'), 'ingest.log'),
    name: 'ingest',
  });
  const base = `http://127.0.0.1:${port}`;
  await proc.waitUntilReady(
    async () =>
      (await fetch(`${base}/health/live`).catch(() => undefined))?.ok === true,
    'ingest answers',
    120_000,
  );
  const receiver = wrap(
    proc,
    `${base}/v1/logs`,
    { authorization: `Bearer ${TOKEN}` },
    { ingest: proc.pid, redis: await redisPid(ownRedis.url) },
  );
  return {
    ...receiver,
    metricsUrl: `${base}/metrics`,
    redis: ownRedis,
    stop: async () => {
      await receiver.stop();
      if (!redis) await ownRedis.stop();
    },
  };
}

async function redisPid(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    redis.disconnect();
  }
}

function wrap(
  proc: ManagedProcess,
  url: string,
  headers: Record<string, string>,
  processes: Record<string, number>,
): Receiver {
  return {
    headers,
    kill: async () => {
      await proc.kill();
    },
    logFile: proc.logFile,
    processes,
    stop: async () => {
      await proc.stop({ timeoutMs: 20_000 });
    },
    url,
  };
}
