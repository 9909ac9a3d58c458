import {
  QUOTE_STREAM_KEY,
  type QuoteStreamEntryQuote,
  parseQuoteStreamEntry,
} from '@freeride/contracts';

import Redis from 'ioredis';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  type MarketGatewayConfig,
  loadConfig,
} from '../../src/config/market-gateway.config';
import {
  type FakeProviderOptions,
  type FakeProviderServer,
  createAlphaVantageFake,
  createFinnhubFake,
  createPolygonFake,
} from './fakes';
import {
  type ManagedProcess,
  type OtlpCollector,
  type RedisServer,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startProcess,
  startRedis,
} from './testing';

/** The three provider fakes. */
export interface Fakes {
  alphavantage: FakeProviderServer;
  finnhub: FakeProviderServer;
  polygon: FakeProviderServer;
  stop(): Promise<void>;
}

/** Starts the three fakes on free ports. */
export async function startFakes(
  options: {
    alphavantage?: FakeProviderOptions;
    finnhub?: FakeProviderOptions;
    polygon?: FakeProviderOptions;
  } = {},
): Promise<Fakes> {
  const [alphavantage, finnhub, polygon] = await Promise.all([
    createAlphaVantageFake({
      keys: ['av-key'],
      ...options.alphavantage,
    }).start(),
    createFinnhubFake({
      keys: ['fh-key-1', 'fh-key-2'],
      ...options.finnhub,
    }).start(),
    createPolygonFake({ keys: ['pg-key'], ...options.polygon }).start(),
  ]);
  return {
    alphavantage,
    finnhub,
    polygon,
    stop: async () => {
      await Promise.all([alphavantage.stop(), finnhub.stop(), polygon.stop()]);
    },
  };
}

/** A running gateway: the production build (`dist/apps/market-gateway`) as a process. */
export interface Gateway {
  /** The configuration the process runs with (its env through the app's own loader). */
  config: MarketGatewayConfig;
  /** Every log line the process has written so far (its stdout and stderr). */
  readonly logs: string[];
  proc: ManagedProcess;
  stop(): Promise<void>;
  url: string;
}

/** The env pointing the gateway at the fakes and a Redis, plus overrides. */
export function gatewayEnv(
  fakes: Fakes,
  redisUrl: string,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    ALPHAVANTAGE_API_KEYS: 'av-key',
    ALPHAVANTAGE_BASE_URL: fakes.alphavantage.url,
    FINNHUB_API_KEYS: 'fh-key-1,fh-key-2',
    FINNHUB_BASE_URL: fakes.finnhub.url,
    FINNHUB_WS_URL: fakes.finnhub.wsUrl,
    LOG_LEVEL: 'info',
    MASSIVE_API_KEYS: 'pg-key',
    MASSIVE_BASE_URL: fakes.polygon.url,
    MASSIVE_WS_URL: fakes.polygon.wsUrl,
    // Telemetry is off unless a test exports to a collector (otlpEnv).
    OTEL_SDK_DISABLED: 'true',
    PROBE_INTERVAL_MS: '0',
    REDIS_URL: redisUrl,
    ...env,
  };
}

/**
 * The env that makes the gateway export its telemetry to `collector` (the
 * app's own `startTelemetry`, as in production), with a short batch delay.
 */
export function otlpEnv(
  collector: Pick<OtlpCollector, 'url'>,
  headers?: string,
): Record<string, string> {
  return {
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    ...(headers ? { OTEL_EXPORTER_OTLP_HEADERS: headers } : {}),
    OTEL_SDK_DISABLED: 'false',
  };
}

/**
 * Starts the built gateway (`builtAppCommand`) on a free 127.0.0.1 port and
 * waits until it answers `/health/live`.
 */
export async function startGateway(
  env: Record<string, string>,
): Promise<Gateway> {
  const port = String(await getFreePort());
  const full = { ...env, MARKET_GATEWAY_PORT: port };
  const config = loadConfig(full);
  const dir = makeTempDir('market-gateway-e2e-');
  const { args, command, cwd } = builtAppCommand('market-gateway');
  const proc = await startProcess(command, args, {
    cwd,
    env: full,
    logFile: join(dir, 'market-gateway.log'),
    name: 'market-gateway',
  });
  const url = `http://127.0.0.1:${port}`;
  await proc.waitUntilReady(
    async () =>
      (await fetch(`${url}/health/live`).catch(() => undefined))?.ok === true,
    'market-gateway /health/live',
    60_000,
  );
  return {
    config,
    get logs() {
      return readLog(proc.logFile);
    },
    proc,
    async stop() {
      await proc.stop({ timeoutMs: 10_000 });
      removeTempDir(dir);
    },
    url,
  };
}

function readLog(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
  } catch {
    return [];
  }
}

/** A Redis, the provider fakes and the built gateway streaming quotes into that Redis. */
export interface StreamRig {
  client: Redis;
  fakes: Fakes;
  gateway: Gateway;
  redis: RedisServer;
  /** Stops the gateway, then the fakes and Redis. */
  stop(): Promise<void>;
}

/** Starts a {@link StreamRig}: `env` is added to {@link gatewayEnv}'s. */
export async function startStreamRig(options: {
  env: Record<string, string>;
  fakes?: Parameters<typeof startFakes>[0];
  redisArgs?: string[];
}): Promise<StreamRig> {
  const redis = await startRedis({
    appendOnly: false,
    extraArgs: options.redisArgs,
  });
  const client = new Redis(redis.url);
  const fakes = await startFakes(options.fakes);
  const gateway = await startGateway(gatewayEnv(fakes, redis.url, options.env));
  return {
    client,
    fakes,
    gateway,
    redis,
    stop: async () => {
      await gateway.stop();
      client.disconnect();
      await fakes.stop();
      await redis.dispose();
    },
  };
}

/** Every quote of the quote stream's entries from `from` to `to` (`XRANGE` bounds), with its entry's id. */
export async function streamQuotes(
  client: Redis,
  from = '-',
  to = '+',
): Promise<Array<QuoteStreamEntryQuote & { id: string }>> {
  const entries = await client.xrange(QUOTE_STREAM_KEY, from, to);
  return entries.flatMap(([id, fields]) =>
    parseQuoteStreamEntry(fields).quotes.map((q) => ({ id, ...q })),
  );
}
