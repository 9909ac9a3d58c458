import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { findBinary } from './binaries';
import { getFreePort } from './free-port';
import { httpOk } from './http-ready';
import { startProcess } from './managed-process';
import { makeTempDir, removeTempDir } from './temp-dir';
import { LOOPBACK } from './testing.constants';

/** Options of {@link startAlertmanager} and {@link startPrometheus}. */
export interface MonitoringServerOptions {
  /** Configuration as YAML text (written to a temp file). Ignored when `configFile` is set. */
  config?: string;
  /** Path of an existing configuration file (relative paths inside it resolve from its folder). */
  configFile?: string;
  /** Extra command-line flags. @default [] */
  extraArgs?: string[];
  /** Port to listen on. @default a free port */
  port?: number;
  /** How long to wait for `/-/ready`. @default 30000 */
  startTimeoutMs?: number;
}

/** An Alertmanager or Prometheus started by this lib. */
export interface MonitoringServer {
  /** Temp directory with storage, generated config and log. */
  readonly dir: string;
  /** Log file (stdout and stderr). */
  readonly logFile: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops it and removes its temp directory. */
  stop(): Promise<void>;
}

/** Minimal Alertmanager configuration used when no config is given: one no-op receiver. */
export const DEFAULT_ALERTMANAGER_CONFIG = `route:
  receiver: 'null'
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: 'null'
`;

/** Writes `config` (or keeps `configFile`) and returns the config path. */
export function resolveConfigFile(
  dir: string,
  name: string,
  fallback: string,
  options: MonitoringServerOptions,
): string {
  if (options.configFile) {
    return options.configFile;
  }
  const path = join(dir, name);
  writeFileSync(path, options.config ?? fallback);
  return path;
}

/** Shared launcher of Alertmanager and Prometheus: start, wait for `/-/ready`, stop. */
export async function startMonitoringServer(
  binary: string,
  args: (ctx: { configFile: string; dir: string; port: number }) => string[],
  configName: string,
  fallbackConfig: string,
  options: MonitoringServerOptions,
): Promise<MonitoringServer> {
  const port = options.port ?? (await getFreePort());
  const name = binary.split('/').pop() ?? binary;
  const dir = makeTempDir(`freeride-${name}-`);
  const configFile = resolveConfigFile(
    dir,
    configName,
    fallbackConfig,
    options,
  );
  const url = `http://${LOOPBACK}:${port}`;
  const proc = await startProcess(
    binary,
    [...args({ configFile, dir, port }), ...(options.extraArgs ?? [])],
    { cwd: dir, logFile: join(dir, `${name}.log`), name: `${name} :${port}` },
  );
  await proc.waitUntilReady(
    () => httpOk(`${url}/-/ready`),
    `${name} ${url}/-/ready`,
    options.startTimeoutMs ?? 30_000,
  );
  return {
    dir,
    logFile: proc.logFile,
    port,
    url,
    async stop() {
      await proc.stop();
      removeTempDir(dir);
    },
  };
}

/**
 * Starts Alertmanager (Debian `prometheus-alertmanager`) on a free 127.0.0.1 port with temp
 * storage and clustering off, and waits for `/-/ready`. Without a config it uses
 * {@link DEFAULT_ALERTMANAGER_CONFIG}.
 *
 * @throws MissingBinaryError when Alertmanager is not installed
 * @see https://prometheus.io/docs/alerting/latest/configuration/
 */
export async function startAlertmanager(
  options: MonitoringServerOptions = {},
): Promise<MonitoringServer> {
  const binary = findBinary(
    ['prometheus-alertmanager', 'alertmanager'],
    'prometheus-alertmanager',
  );
  return startMonitoringServer(
    binary,
    ({ configFile, dir, port }) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${LOOPBACK}:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    'alertmanager.yml',
    DEFAULT_ALERTMANAGER_CONFIG,
    options,
  );
}
