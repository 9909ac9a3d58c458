import { join } from 'node:path';

import {
  builtAppCommand,
  getFreePort,
  makeTempDir,
  startProcess,
} from './testing';
import type { ManagedProcess } from './testing';

/** A running apps/anomaly child process. */
export interface AnomalyApp {
  readonly proc: ManagedProcess;
  readonly url: string;
}

/**
 * Starts the production build of apps/anomaly (dist/apps/anomaly), with `env`
 * over quiet telemetry defaults, and waits for /health/live.
 */
export async function startAnomalyApp(
  env: Record<string, string>,
): Promise<AnomalyApp> {
  const port = env['ANOMALY_PORT']
    ? Number(env['ANOMALY_PORT'])
    : await getFreePort();
  const dir = makeTempDir('freeride-anomaly-app-');
  const { args, command, cwd } = builtAppCommand('anomaly');
  const proc = await startProcess(command, args, {
    cwd,
    env: {
      ANOMALY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'info',
      OTEL_SDK_DISABLED: 'true',
      ...env,
      ANOMALY_PORT: String(port),
    },
    logFile: join(dir, 'anomaly.log'),
    name: `anomaly :${port}`,
  });
  const url = `http://127.0.0.1:${port}`;
  await proc.waitUntilReady(
    async () => {
      try {
        return (await fetch(`${url}/health/live`)).ok;
      } catch {
        return false;
      }
    },
    `anomaly ${url}/health/live`,
    60_000,
  );
  return { proc, url };
}

/** Reads one counter or gauge sample from the app's /metrics, summed over label sets matching `labels`. */
export async function metricValue(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (
      Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))
    ) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
