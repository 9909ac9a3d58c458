import { join } from 'node:path';

import {
  type ManagedProcess,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startProcess,
  waitFor,
} from './testing';
import type { Infra } from './trading-harness';

/** The real market gateway (apps/market-gateway) as a process, on the Finnhub fake only. */
export interface GatewayProcess {
  proc: ManagedProcess;
  stop(): Promise<void>;
  url: string;
}

export async function startGateway(
  infra: Infra,
  finnhub: { url: string; wsUrl: string },
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const port = await getFreePort();
  const dir = makeTempDir('gateway-e2e-');
  const { args, command, cwd } = builtAppCommand('market-gateway');
  const proc = await startProcess(command, args, {
    cwd,
    env: {
      BARS_PROVIDERS: 'finnhub',
      FINNHUB_API_KEYS: 'fh-key',
      FINNHUB_BASE_URL: finnhub.url,
      FINNHUB_WS_URL: finnhub.wsUrl,
      LOG_LEVEL: 'warn',
      MARKET_GATEWAY_PORT: String(port),
      NEWS_PROVIDERS: 'finnhub',
      OTEL_SDK_DISABLED: 'true',
      PROBE_INTERVAL_MS: '0',
      PROBE_PROVIDERS: 'finnhub',
      QUOTE_PROVIDERS: 'finnhub',
      REDIS_URL: infra.redisServer.url,
      STREAM_PROVIDERS: 'finnhub',
      ...env,
    },
    logFile: join(dir, 'gateway.log'),
    name: 'market-gateway',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/health/live`)).ok, {
      description: 'market-gateway /health/live',
      intervalMs: 200,
      timeoutMs: 30_000,
    });
  } catch (err) {
    await proc.stop({ timeoutMs: 2000 });
    throw new Error(`gateway did not start:\n${proc.tail(40)}`, { cause: err });
  }
  return {
    proc,
    async stop() {
      await proc.stop({ timeoutMs: 5000 });
      removeTempDir(dir);
    },
    url,
  };
}
