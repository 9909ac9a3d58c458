import { QUOTE_STREAM_KEY, parseQuoteStreamEntry } from '@freeride/contracts';

import Redis from 'ioredis';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis, waitFor } from './support/testing';

describe('quote stream failover (provider websockets, real Redis)', () => {
  let redis: RedisServer;
  let redisClient: Redis;
  let fakes: Fakes;
  let gateway: Gateway;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    redisClient = new Redis(redis.url);
    fakes = await startFakes({
      finnhub: { tickIntervalMs: 50 },
      polygon: { tickIntervalMs: 50 },
    });
    // Polygon first, with a key its websocket refuses (as a free plan's would be).
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        LOG_LEVEL: 'error',
        MASSIVE_API_KEYS: 'pg-free-plan-key',
        STREAM_PROVIDERS: 'polygon,finnhub',
        STREAM_SYMBOLS: 'AAPL',
      }),
    );
  });

  afterAll(async () => {
    await gateway.stop();
    redisClient.disconnect();
    await fakes.stop();
    await redis.dispose();
  });

  it('moves to the next streaming provider when the first refuses its only key', async () => {
    const providers = await waitFor(
      async () => {
        const entries = await redisClient.xrange(QUOTE_STREAM_KEY, '-', '+');
        return entries.length > 0
          ? entries.flatMap(([, fields]) =>
              parseQuoteStreamEntry(fields).quotes.map((q) => q.quote.provider),
            )
          : undefined;
      },
      { description: 'quotes on the stream', timeoutMs: 5000 },
    );
    expect(new Set(providers)).toEqual(new Set(['finnhub']));
    expect(fakes.polygon.wsConnections).toBe(1);
    expect(fakes.finnhub.wsSubscriptions).toContain('AAPL');
  });

  describe('when the streaming provider stays down', () => {
    let second: Gateway;

    beforeAll(async () => {
      await redisClient.del(QUOTE_STREAM_KEY);
      second = await startGateway(
        gatewayEnv(fakes, redis.url, {
          LOG_LEVEL: 'error',
          STREAM_FAILOVER_AFTER_MS: '500',
          STREAM_PROVIDERS: 'finnhub,polygon',
          STREAM_RECONNECT_BACKOFF_MS: '50',
          STREAM_SYMBOLS: 'MSFT',
        }),
      );
    });

    afterAll(async () => {
      fakes.finnhub.setScenario('normal');
      await second.stop();
    });

    it('moves to Polygon after the failover delay and keeps publishing', async () => {
      await waitFor(
        async () => (await redisClient.xlen(QUOTE_STREAM_KEY)) > 0,
        { description: 'first quotes from Finnhub', timeoutMs: 5000 },
      );
      fakes.finnhub.setScenario('errors');
      fakes.finnhub.dropSockets();
      const [last] = (
        await redisClient.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
      )[0];
      const fromPolygon = await waitFor(
        async () => {
          const entries = await redisClient.xrange(
            QUOTE_STREAM_KEY,
            `(${last}`,
            '+',
          );
          const quotes = entries.flatMap(([, fields]) =>
            parseQuoteStreamEntry(fields).quotes.map((q) => q.quote),
          );
          return quotes.filter(
            (q) => q.provider === 'polygon' && q.symbol === 'MSFT',
          ).length > 0
            ? quotes
            : undefined;
        },
        {
          description: 'quotes from Polygon after Finnhub went down',
          timeoutMs: 10_000,
        },
      );
      expect(fromPolygon.length).toBeGreaterThan(0);
    });
  });
});
