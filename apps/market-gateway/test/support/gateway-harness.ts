import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
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

/** A running gateway. */
export interface Gateway {
  app: INestApplication;
  config: MarketGatewayConfig;
  /** Every log line written so far. */
  logs: string[];
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
    PROBE_INTERVAL_MS: '0',
    REDIS_URL: redisUrl,
    ...env,
  };
}

/** Starts the gateway on a free 127.0.0.1 port, logging into memory. */
export async function startGateway(
  env: Record<string, string>,
): Promise<Gateway> {
  const config = loadConfig(env);
  const logs: string[] = [];
  const app = await NestFactory.create(
    AppModule.forRoot(config, {
      logStream: { write: (line: string) => void logs.push(line) },
    }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, logs, stop: () => app.close(), url };
}
