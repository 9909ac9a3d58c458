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

import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '../../..');
export const TOKEN = 'bench-token-0123456789abcdef';

/** A receiver under test: where to POST OTLP logs, and how to stop it. */
export interface Receiver {
  url: string;
  token?: string;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

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
 * Elasticsearch exporter into `index` (its default `otel` document shape:
 * at v0.150.0 the `mapping.mode` setting is ignored; bench:ingest installs a
 * data stream template for it, as `require_data_stream` needs). The
 * exporter's queue is the default in-memory one, or the persistent
 * `file_storage` queue.
 */
export async function startCollector(
  binary: string,
  esUrl: string,
  index: string,
  queue: 'memory' | 'file',
): Promise<Receiver> {
  const port = await getFreePort();
  const dir = makeTempDir('bench-otelcol-');
  const persistent = queue === 'file';
  const config = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  batch: {}
exporters:
  elasticsearch:
    endpoint: ${esUrl}
    logs_index: ${index}
${persistent ? '    sending_queue:\n      enabled: true\n      storage: file_storage\n' : ''}${persistent ? `extensions:\n  file_storage:\n    directory: ${dir}\n` : ''}service:
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
  await proc.waitUntilReady(
    async () => {
      try {
        // An empty export answers 200 once the receiver listens.
        const res = await fetch(url, {
          body: new Uint8Array(0),
          headers: { 'content-type': 'application/x-protobuf' },
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
  return wrap(proc, url);
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
  const proc = await startProcess(built.command, built.args, {
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
  const receiver = wrap(proc, `${base}/v1/logs`, TOKEN);
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

function wrap(proc: ManagedProcess, url: string, token?: string): Receiver {
  return {
    kill: async () => {
      await proc.kill();
    },
    stop: async () => {
      await proc.stop({ timeoutMs: 20_000 });
    },
    token,
    url,
  };
}
