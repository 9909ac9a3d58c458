import {
  type AlphaVantageNote,
  type FakeProviderServer,
  createAlphaVantageFake,
  createFinnhubFake,
  createPolygonFake,
} from '@freeride/market-fakes';

import {
  AuthFailedError,
  MalformedResponseError,
  NotEntitledError,
  ProviderTimeoutError,
  RateLimitedError,
  StaleQuoteError,
  SymbolNotFoundError,
  UpstreamError,
} from '../market-data.errors';
import type {
  MarketDataProvider,
  StreamStatus,
  Trade,
} from '../market-data.types';
import { AlphaVantageProvider } from './alpha-vantage.provider';
import { FinnhubProvider } from './finnhub.provider';
import { PolygonProvider } from './polygon.provider';

const call = { apiKey: 'good-key', timeoutMs: 1000 };

async function waitUntil(
  predicate: () => boolean,
  timeoutMs = 3000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([
  {
    create: createFinnhubFake,
    make: (url: string, ws: string) =>
      new FinnhubProvider({ baseUrl: url, wsUrl: ws }),
  },
  {
    create: createPolygonFake,
    make: (url: string, ws: string) =>
      new PolygonProvider({ baseUrl: url, wsUrl: ws }),
  },
  {
    create: createAlphaVantageFake,
    make: (url: string) =>
      new AlphaVantageProvider({ baseUrl: url, maxQuoteAgeMs: 2 * 86_400_000 }),
  },
])('$create.name client against its fake', ({ create, make }) => {
  let fake: FakeProviderServer;
  let client: MarketDataProvider;

  beforeAll(async () => {
    fake = await create({
      keys: ['good-key'],
      slowMs: 300,
      staleByMs: 5 * 86_400_000,
    }).start();
    client = make(fake.url, fake.wsUrl);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.setScenario('normal'));

  it('returns a positive price stamped with its provider', async () => {
    const quote = await client.getQuote({ ...call, symbol: 'MSFT' });
    expect(quote.provider).toBe(client.name);
    expect(quote.price).toBeGreaterThan(0);
    expect(quote.asOf).toBeLessThanOrEqual(quote.receivedAt);
  });

  it('raises SymbolNotFoundError for an unknown symbol', async () => {
    await expect(client.getQuote({ ...call, symbol: 'ZZZZ' })).rejects.toThrow(
      SymbolNotFoundError,
    );
  });

  it('raises AuthFailedError for a refused key', async () => {
    await expect(
      client.getQuote({ ...call, apiKey: 'bad-key', symbol: 'MSFT' }),
    ).rejects.toThrow(AuthFailedError);
  });

  it('raises RateLimitedError on a 429', async () => {
    fake.setScenario('rate-limit-429');
    await expect(client.getQuote({ ...call, symbol: 'MSFT' })).rejects.toThrow(
      RateLimitedError,
    );
  });

  it('raises UpstreamError on a 500', async () => {
    fake.setScenario('errors');
    await expect(client.getQuote({ ...call, symbol: 'MSFT' })).rejects.toThrow(
      UpstreamError,
    );
  });

  it('raises MalformedResponseError on garbage', async () => {
    fake.setScenario('garbage');
    await expect(client.getQuote({ ...call, symbol: 'MSFT' })).rejects.toThrow(
      MalformedResponseError,
    );
  });

  it('raises MalformedResponseError on an empty body', async () => {
    fake.setScenario('empty');
    await expect(client.getQuote({ ...call, symbol: 'MSFT' })).rejects.toThrow(
      MalformedResponseError,
    );
  });

  it('raises a ProviderTimeoutError naming the operation and the limit when slow', async () => {
    fake.setScenario('slow');
    const err = await client
      .getQuote({ ...call, symbol: 'MSFT', timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderTimeoutError);
    expect((err as Error).message).toMatch(/timed out after 50 ms/);
    expect((err as Error).message).not.toContain('good-key');
  });

  it('raises StaleQuoteError carrying the old price when prices are stale', async () => {
    fake.setScenario('stale');
    const err = await client
      .getQuote({ ...call, symbol: 'MSFT' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StaleQuoteError);
    expect((err as StaleQuoteError).quote.price).toBeGreaterThan(0);
  });
});

describe('AlphaVantageProvider', () => {
  let fake: FakeProviderServer;
  let note: AlphaVantageNote = 'burst';
  const client = (): AlphaVantageProvider =>
    new AlphaVantageProvider({
      baseUrl: fake.url,
      maxQuoteAgeMs: 7 * 86_400_000,
    });

  beforeAll(async () => {
    fake = await createAlphaVantageFake({
      get note() {
        return note;
      },
    }).start();
  });
  afterAll(() => fake.stop());

  it.each([
    ['burst', 'burst'],
    ['daily', 'day'],
    ['minute', 'minute'],
  ] as const)(
    'turns the HTTP 200 %s note into RateLimitedError(%s)',
    async (kind, window) => {
      note = kind;
      fake.setScenario('rate-limit-note');
      const err = await client()
        .getQuote({ ...call, symbol: 'IBM' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).window).toBe(window);
    },
  );

  it('turns the premium-endpoint note into NotEntitledError', async () => {
    note = 'premium';
    fake.setScenario('rate-limit-note');
    await expect(
      client().getBars({ ...call, interval: '5min', symbol: 'IBM' }),
    ).rejects.toThrow(NotEntitledError);
  });

  it('parses intraday bars in US/Eastern into UTC, oldest first', async () => {
    fake.setScenario('normal');
    const bars = await client().getBars({
      ...call,
      interval: '5min',
      symbol: 'IBM',
    });
    expect(bars).toHaveLength(12);
    expect(bars[0].start < bars[11].start).toBe(true);
    expect(Date.parse(bars[11].start)).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(bars[11].start)).toBeLessThan(10 * 60_000);
  });
});

describe('FinnhubProvider', () => {
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = await createFinnhubFake({
      keys: ['good-key'],
      tickIntervalMs: 20,
    }).start();
  });
  afterAll(() => fake.stop());

  it('returns company news newest first', async () => {
    const client = new FinnhubProvider({ baseUrl: fake.url });
    const news = await client.getNews({
      ...call,
      from: '2026-11-01',
      symbol: 'AAPL',
      to: '2026-11-24',
    });
    expect(news).toHaveLength(3);
    expect(news[0].datetime >= news[1].datetime).toBe(true);
    expect(news[0].related).toEqual(['AAPL']);
  });

  it('reconnects and resubscribes after the socket is killed', async () => {
    const client = new FinnhubProvider({
      baseUrl: fake.url,
      streamInitialBackoffMs: 20,
      wsUrl: fake.wsUrl,
    });
    const trades: Trade[] = [];
    const sub = client.subscribe({
      apiKey: () => 'good-key',
      onTrade: (t) => trades.push(t),
      symbols: ['AAPL', 'MSFT'],
    });
    try {
      await waitUntil(() => trades.length > 0);
      fake.dropSockets();
      const before = trades.length;
      await waitUntil(
        () => fake.wsConnections >= 2 && trades.length > before + 2,
      );
      expect(fake.wsSubscriptions.filter((s) => s === 'MSFT')).toHaveLength(2);
    } finally {
      await sub.close();
    }
  });
});

describe('PolygonProvider', () => {
  let fake: FakeProviderServer;

  beforeAll(async () => {
    fake = await createPolygonFake({
      keys: ['good-key'],
      tickIntervalMs: 20,
    }).start();
  });
  afterAll(() => fake.stop());

  it('reads aggregates in ms into bars', async () => {
    const bars = await new PolygonProvider({ baseUrl: fake.url }).getBars({
      ...call,
      interval: '5min',
      symbol: 'AAPL',
    });
    expect(bars).toHaveLength(12);
    expect(Date.parse(bars[0].start) % 300_000).toBe(0);
  });

  it('authenticates, subscribes and streams batched trades', async () => {
    const client = new PolygonProvider({
      baseUrl: fake.url,
      wsUrl: fake.wsUrl,
    });
    const trades: Trade[] = [];
    const sub = client.subscribe({
      apiKey: () => 'good-key',
      onTrade: (t) => trades.push(t),
      symbols: ['AAPL', 'MSFT'],
    });
    try {
      await waitUntil(() => new Set(trades.map((t) => t.symbol)).size === 2);
      expect(sub.connected).toBe(true);
      expect(trades[0].provider).toBe('polygon');
    } finally {
      await sub.close();
    }
  });

  it('reports auth_failed as a fatal stream error and stops reconnecting', async () => {
    const client = new PolygonProvider({
      baseUrl: fake.url,
      streamInitialBackoffMs: 10,
      wsUrl: fake.wsUrl,
    });
    const statuses: StreamStatus[] = [];
    const connectionsBefore = fake.wsConnections;
    const sub = client.subscribe({
      apiKey: () => 'bad-key',
      onStatus: (s) => statuses.push(s),
      onTrade: () => undefined,
      symbols: ['AAPL'],
    });
    try {
      await waitUntil(() =>
        statuses.some((s) => s.state === 'error' && s.fatal),
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(fake.wsConnections - connectionsBefore).toBe(1);
    } finally {
      await sub.close();
    }
  });
});
