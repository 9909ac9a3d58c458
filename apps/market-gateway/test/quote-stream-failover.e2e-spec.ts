import { QUOTE_STREAM_KEY } from '@freeride/contracts';

import {
  type Gateway,
  type StreamRig,
  gatewayEnv,
  startGateway,
  startStreamRig,
  streamQuotes,
} from './support/gateway-harness';
import { waitFor } from './support/testing';

describe('quote stream failover (provider websockets, real Redis)', () => {
  let rig: StreamRig;

  beforeAll(async () => {
    // Polygon first, with a key its websocket refuses (as a free plan's would be).
    rig = await startStreamRig({
      env: {
        LOG_LEVEL: 'error',
        MASSIVE_API_KEYS: 'pg-free-plan-key',
        STREAM_PROVIDERS: 'polygon,finnhub',
        STREAM_SYMBOLS: 'AAPL',
      },
      fakes: {
        finnhub: { tickIntervalMs: 50 },
        polygon: { tickIntervalMs: 50 },
      },
    });
  });

  afterAll(() => rig.stop());

  it('moves to the next streaming provider when the first refuses its only key', async () => {
    const providers = await waitFor(
      async () => {
        const quotes = await streamQuotes(rig.client);
        return quotes.length > 0
          ? quotes.map((q) => q.quote.provider)
          : undefined;
      },
      { description: 'quotes on the stream', timeoutMs: 5000 },
    );
    expect(new Set(providers)).toEqual(new Set(['finnhub']));
    expect(rig.fakes.polygon.wsConnections).toBe(1);
    expect(rig.fakes.finnhub.wsSubscriptions).toContain('AAPL');
  });

  describe('when the streaming provider stays down', () => {
    let second: Gateway;

    beforeAll(async () => {
      await rig.client.del(QUOTE_STREAM_KEY);
      second = await startGateway(
        gatewayEnv(rig.fakes, rig.redis.url, {
          LOG_LEVEL: 'error',
          STREAM_FAILOVER_AFTER_MS: '500',
          STREAM_PROVIDERS: 'finnhub,polygon',
          STREAM_RECONNECT_BACKOFF_MS: '50',
          STREAM_SYMBOLS: 'MSFT',
        }),
      );
    });

    afterAll(async () => {
      rig.fakes.finnhub.setScenario('normal');
      await second.stop();
    });

    it('moves to Polygon after the failover delay and keeps publishing', async () => {
      await waitFor(async () => (await rig.client.xlen(QUOTE_STREAM_KEY)) > 0, {
        description: 'first quotes from Finnhub',
        timeoutMs: 5000,
      });
      rig.fakes.finnhub.setScenario('errors');
      rig.fakes.finnhub.dropSockets();
      const [last] = (
        await rig.client.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
      )[0];
      const fromPolygon = await waitFor(
        async () => {
          const quotes = (await streamQuotes(rig.client, `(${last}`)).map(
            (q) => q.quote,
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
