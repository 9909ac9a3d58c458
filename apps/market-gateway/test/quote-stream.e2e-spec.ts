import { QUOTE_STREAM_KEY, parseQuoteStreamEntry } from '@freeride/contracts';

import request from 'supertest';

import {
  type StreamRig,
  otlpEnv,
  startStreamRig,
  streamQuotes,
} from './support/gateway-harness';
import { OtlpCollector, waitFor } from './support/testing';

describe('quote stream to Redis (provider websockets, real Redis)', () => {
  let rig: StreamRig;
  // Telemetry on, as shipped: the traceparent comes from the app's own SDK.
  const collector = new OtlpCollector();

  /** Quotes of the stream entries after `afterId`, parsed with the contract's schemas. */
  const readAfter = (afterId: string) =>
    streamQuotes(rig.client, `(${afterId}`);

  beforeAll(async () => {
    await collector.start();
    rig = await startStreamRig({
      env: {
        ...otlpEnv(collector),
        LOG_LEVEL: 'error',
        STREAM_RECONNECT_BACKOFF_MS: '50',
        STREAM_SYMBOLS: 'AAPL,MSFT',
      },
      fakes: { finnhub: { disconnectAfterFrames: 3, tickIntervalMs: 50 } },
    });
  });

  afterAll(async () => {
    await rig.stop();
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
    const entries = await rig.client.xrange(QUOTE_STREAM_KEY, '-', '+');
    const frames = entries.map(([, fields]) => parseQuoteStreamEntry(fields));
    const both = frames.filter((f) => f.quotes.length === 2);
    expect(both.length).toBeGreaterThan(0);
    for (const f of both)
      expect(f.quotes.map((q) => q.quote.symbol).sort()).toEqual([
        'AAPL',
        'MSFT',
      ]);
    const quotes = frames.reduce((n, f) => n + f.quotes.length, 0);
    const metrics = (await request(rig.gateway.url).get('/metrics').expect(200))
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
      await rig.client.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
    )[0];
    const connections = rig.fakes.finnhub.wsConnections;
    rig.fakes.finnhub.dropSockets();
    const after = await waitFor(
      async () => {
        const fresh = await readAfter(last);
        return rig.fakes.finnhub.wsConnections > connections &&
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
      rig.fakes.finnhub.wsSubscriptions.filter((s) => s === 'MSFT').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('keeps streaming while the provider drops the connection mid-stream again and again', async () => {
    const connections = rig.fakes.finnhub.wsConnections;
    rig.fakes.finnhub.setScenario('disconnect');
    await waitFor(() => rig.fakes.finnhub.wsConnections >= connections + 3, {
      description: 'three more reconnects',
      timeoutMs: 10_000,
    });
    rig.fakes.finnhub.setScenario('normal');
    const [last] = (
      await rig.client.xrevrange(QUOTE_STREAM_KEY, '+', '-', 'COUNT', 1)
    )[0];
    await waitFor(async () => (await readAfter(last)).length > 0, {
      description: 'quotes after the drops',
      timeoutMs: 5000,
    });
    const metrics = (await request(rig.gateway.url).get('/metrics').expect(200))
      .text;
    expect(metrics).toMatch(
      /freeride_gateway_quote_stream_disconnects_total\{[^}]*provider="finnhub"[^}]*\} ([3-9]|\d{2,})/,
    );
  });
});

describe('quote stream trim (frames of two quotes, real Redis)', () => {
  let rig: StreamRig;

  beforeAll(async () => {
    rig = await startStreamRig({
      env: {
        LOG_LEVEL: 'error',
        QUOTE_STREAM_MAXLEN: '40',
        STREAM_SYMBOLS: 'AAPL,MSFT',
      },
      fakes: { finnhub: { tickIntervalMs: 20 } },
      // Nodes of two entries: `MAXLEN ~` then trims almost exactly.
      redisArgs: ['--stream-node-max-entries', '2'],
    });
  });

  afterAll(() => rig.stop());

  it('keeps about QUOTE_STREAM_MAXLEN quotes, not that many entries', async () => {
    // Enough frames for the quotes per entry to settle at two.
    await waitFor(
      async () => {
        const info = (await rig.client.call(
          'XINFO',
          'STREAM',
          QUOTE_STREAM_KEY,
        )) as unknown[];
        const added = Number(info[info.indexOf('entries-added') + 1]);
        return added >= 120;
      },
      { description: '120 frames published', timeoutMs: 20_000 },
    );
    const length = await rig.client.xlen(QUOTE_STREAM_KEY);
    // 40 quotes in frames of two: about 20 entries (a node of slack), not 40.
    expect(length).toBeGreaterThanOrEqual(19);
    expect(length).toBeLessThanOrEqual(24);
    const kept = (await streamQuotes(rig.client)).length;
    expect(kept).toBeGreaterThanOrEqual(38);
    expect(kept).toBeLessThanOrEqual(48);
  });
});
