import {
  QUOTE_STREAM_KEY,
  type Quote,
  parseQuoteStreamEntry,
} from '@freeride/contracts';

import Redis from 'ioredis';
import request from 'supertest';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  otlpEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import {
  OtlpCollector,
  type RedisServer,
  startRedis,
  waitFor,
} from './support/testing';

describe('quote stream to Redis (provider websockets, real Redis)', () => {
  let redis: RedisServer;
  let redisClient: Redis;
  let fakes: Fakes;
  let gateway: Gateway;
  // Telemetry on, as shipped: the traceparent comes from the app's own SDK.
  const collector = new OtlpCollector();

  /** Quotes of the stream entries after `afterId`, parsed with the contract's schemas. */
  async function readAfter(
    afterId: string,
  ): Promise<{ id: string; quote: Quote; traceparent?: string }[]> {
    const entries = await redisClient.xrange(
      QUOTE_STREAM_KEY,
      `(${afterId}`,
      '+',
    );
    return entries.flatMap(([id, fields]) =>
      parseQuoteStreamEntry(fields).quotes.map((q) => ({ id, ...q })),
    );
  }

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    redisClient = new Redis(redis.url);
    await collector.start();
    fakes = await startFakes({
      finnhub: { disconnectAfterFrames: 3, tickIntervalMs: 50 },
    });
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        ...otlpEnv(collector),
        LOG_LEVEL: 'error',
        STREAM_RECONNECT_BACKOFF_MS: '50',
        STREAM_SYMBOLS: 'AAPL,MSFT',
      }),
    );
  });

  afterAll(async () => {
    await gateway.stop();
    redisClient.disconnect();
    await fakes.stop();
    await redis.dispose();
    await collector.stop();
  });

  it('publishes Finnhub trades as quotes with provider, age and a traceparent', async () => {
    const entries = await waitFor(
      async () => {
        const all = await readAfter('0-0');
        return new Set(all.map((e) => e.quote.symbol)).size === 2
          ? all
          : undefined;
      },
      {
        description: 'quotes for AAPL and MSFT on the stream',
        timeoutMs: 5000,
      },
    );
    expect(entries[0].quote).toMatchObject({
      provider: 'finnhub',
      stale: false,
    });
    expect(entries[0].quote.ageMs).toBeGreaterThanOrEqual(0);
    for (const e of entries)
      expect(e.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    // One trace per quote, also for the quotes of one frame.
    const traces = entries.map((e) => e.traceparent!.split('-')[1]);
    expect(new Set(traces).size).toBe(traces.length);
  });

  it('writes the trades of one provider frame as one entry, in their order', async () => {
    // The fake sends one frame with a trade of each subscribed symbol.
    const entries = await redisClient.xrange(QUOTE_STREAM_KEY, '-', '+');
    const frames = entries.map(([, fields]) => parseQuoteStreamEntry(fields));
    const both = frames.filter((f) => f.quotes.length === 2);
    expect(both.length).toBeGreaterThan(0);
    for (const f of both)
      expect(f.quotes.map((q) => q.quote.symbol).sort()).toEqual([
        'AAPL',
        'MSFT',
      ]);
    const quotes = frames.reduce((n, f) => n + f.quotes.length, 0);
    const metrics = (await request(gateway.url).get('/metrics').expect(200))
      .text;
    const published = Number(
      /freeride_gateway_quote_stream_published_total\{[^}]*provider="finnhub"[^}]*\} (\d+)/.exec(
        metrics,
      )?.[1],
    );
    // Every quote is counted once, whether it went out alone or in a frame.
    expect(published).toBeGreaterThanOrEqual(quotes);
  });

  it('reconnects and resubscribes after the websocket is killed', async () => {
    const [last] = (
      await redisClient.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
    )[0];
    const connections = fakes.finnhub.wsConnections;
    fakes.finnhub.dropSockets();
    const after = await waitFor(
      async () => {
        const fresh = await readAfter(last);
        return fakes.finnhub.wsConnections > connections &&
          new Set(fresh.map((e) => e.quote.symbol)).size === 2
          ? fresh
          : undefined;
      },
      {
        description: 'quotes for both symbols after the reconnect',
        timeoutMs: 5000,
      },
    );
    expect(after.length).toBeGreaterThan(0);
    expect(
      fakes.finnhub.wsSubscriptions.filter((s) => s === 'MSFT').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('keeps streaming while the provider drops the connection mid-stream again and again', async () => {
    const connections = fakes.finnhub.wsConnections;
    fakes.finnhub.setScenario('disconnect');
    await waitFor(() => fakes.finnhub.wsConnections >= connections + 3, {
      description: 'three more reconnects',
      timeoutMs: 10_000,
    });
    fakes.finnhub.setScenario('normal');
    const [last] = (
      await redisClient.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
    )[0];
    await waitFor(async () => (await readAfter(last)).length > 0, {
      description: 'quotes after the drops',
      timeoutMs: 5000,
    });
    const metrics = (await request(gateway.url).get('/metrics').expect(200))
      .text;
    expect(metrics).toMatch(
      /freeride_gateway_quote_stream_disconnects_total\{[^}]*provider="finnhub"[^}]*\} ([3-9]|\d{2,})/,
    );
  });
});

describe('quote stream trim (frames of two quotes, real Redis)', () => {
  let redis: RedisServer;
  let redisClient: Redis;
  let fakes: Fakes;
  let gateway: Gateway;

  beforeAll(async () => {
    // Nodes of two entries: `MAXLEN ~` then trims almost exactly.
    redis = await startRedis({
      appendOnly: false,
      extraArgs: ['--stream-node-max-entries', '2'],
    });
    redisClient = new Redis(redis.url);
    fakes = await startFakes({ finnhub: { tickIntervalMs: 20 } });
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        LOG_LEVEL: 'error',
        QUOTE_STREAM_MAXLEN: '40',
        STREAM_SYMBOLS: 'AAPL,MSFT',
      }),
    );
  });

  afterAll(async () => {
    await gateway.stop();
    redisClient.disconnect();
    await fakes.stop();
    await redis.dispose();
  });

  it('keeps about QUOTE_STREAM_MAXLEN quotes, not that many entries', async () => {
    // Enough frames for the quotes per entry to settle at two (about 100).
    const quotes = async () => {
      const entries = await redisClient.xrange(QUOTE_STREAM_KEY, '-', '+');
      return entries.reduce(
        (n, [, fields]) => n + parseQuoteStreamEntry(fields).quotes.length,
        0,
      );
    };
    await waitFor(
      async () => {
        const info = (await redisClient.call(
          'XINFO',
          'STREAM',
          QUOTE_STREAM_KEY,
        )) as unknown[];
        const added = Number(info[info.indexOf('entries-added') + 1]);
        return added >= 120;
      },
      { description: '120 frames published', timeoutMs: 20_000 },
    );
    const length = await redisClient.xlen(QUOTE_STREAM_KEY);
    // 40 quotes in frames of two: about 20 entries (a node of slack), not 40.
    expect(length).toBeGreaterThanOrEqual(19);
    expect(length).toBeLessThanOrEqual(24);
    const kept = await quotes();
    expect(kept).toBeGreaterThanOrEqual(38);
    expect(kept).toBeLessThanOrEqual(48);
  });
});
