import { join } from 'node:path';

import type { MonitoringServer, MonitoringServerOptions } from './alertmanager';
import { startMonitoringServer } from './alertmanager';
import { findBinary } from './binaries';

/** Minimal Prometheus configuration used when no config is given: it scrapes nothing. */
export const DEFAULT_PROMETHEUS_CONFIG = `global:
  scrape_interval: 5s
  evaluation_interval: 5s
`;

/**
 * Starts Prometheus on a free 127.0.0.1 port with a temp TSDB, the lifecycle API
 * (`POST /-/reload`) and the remote-write receiver on, and waits for `/-/ready`.
 *
 * @throws MissingBinaryError when Prometheus is not installed
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 */
export async function startPrometheus(
  options: MonitoringServerOptions = {},
): Promise<MonitoringServer> {
  const binary = findBinary(['prometheus'], 'prometheus');
  return startMonitoringServer(
    binary,
    ({ configFile, dir, port }) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    'prometheus.yml',
    DEFAULT_PROMETHEUS_CONFIG,
    options,
  );
}
