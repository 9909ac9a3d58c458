import { MemoryMarketDataCache } from '../cache/market-data-cache';
import {
  AuthFailedError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  RateLimitedError,
  StaleQuoteError,
  SymbolNotFoundError,
  UpstreamError,
} from '../market-data.errors';
import type {
  Bar,
  Capability,
  GetQuoteOptions,
  MarketDataProvider,
  NewsItem,
  ProviderCallOptions,
  ProviderName,
  ProviderQuote,
  TradeSubscription,
} from '../market-data.types';
import { ProviderHealthTracker } from '../policies/provider-health';
import { createProviderSlot } from './create-provider-slot';
import { MarketDataRouter } from './market-data-router';
import type { RouterHooks } from './router-hooks';

type Behaviour = 'auth' | 'fail' | 'limited' | 'not-found' | 'ok' | 'stale';

/** An in-memory provider whose behaviour a test sets per call. */
class StubProvider implements MarketDataProvider {
  readonly capabilities: readonly Capability[] = ['bars', 'news', 'quote'];
  readonly testSymbol = 'AAPL';
  behaviour: Behaviour = 'ok';
  readonly keysUsed: string[] = [];
  badKeys = new Set<string>();
  staleAgeMs = 3_600_000;

  constructor(readonly name: ProviderName) {}

  canHandle(): boolean {
    return true;
  }

  async getQuote(options: GetQuoteOptions): Promise<ProviderQuote> {
    this.keysUsed.push(options.apiKey);
    await new Promise((r) => setTimeout(r, 1));
    const now = Date.now();
    const quote = {
      asOf: now - 100,
      price: 100,
      provider: this.name,
      receivedAt: now,
      symbol: options.symbol,
    };
    if (this.badKeys.has(options.apiKey)) throw new AuthFailedError(this.name);
    switch (this.behaviour) {
      case 'auth':
        throw new AuthFailedError(this.name);
      case 'fail':
        throw new UpstreamError(this.name, {
          reason: 'server error',
          status: 500,
        });
      case 'limited':
        throw new RateLimitedError(this.name, {
          retryAfterMs: 30_000,
          window: 'minute',
        });
      case 'not-found':
        throw new SymbolNotFoundError(this.name);
      case 'stale':
        throw new StaleQuoteError(
          { ...quote, asOf: now - this.staleAgeMs },
          60_000,
        );
      default:
        return quote;
    }
  }

  getBars(): Promise<Bar[]> {
    return Promise.resolve([]);
  }

  getNews(): Promise<NewsItem[]> {
    return Promise.resolve([]);
  }

  probe(options: ProviderCallOptions): Promise<ProviderQuote> {
    return this.getQuote({ ...options, symbol: this.testSymbol });
  }

  subscribe(): TradeSubscription {
    throw new Error('not streamed');
  }
}

/** Hang via the attempt's own timeout, not a test timer: the stub honours `signal` only. */
function hangingStub(name: ProviderName): StubProvider {
  const stub = new StubProvider(name);
  stub.getQuote = (options) =>
    new Promise((_, reject) => {
      setTimeout(
        () =>
          reject(
            new ProviderTimeoutError(name, {
              operation: 'quote',
              target: 'stub',
              timeoutMs: options.timeoutMs,
            }),
          ),
        options.timeoutMs,
      );
    });
  return stub;
}

function build(
  stubs: StubProvider[],
  options: {
    deadlineMs?: number;
    hooks?: RouterHooks;
    keys?: string[];
    threshold?: number;
    halfOpenAfterMs?: number;
  } = {},
): MarketDataRouter {
  return new MarketDataRouter({
    attemptTimeoutMs: 100,
    cache: new MemoryMarketDataCache(),
    deadlineMs: options.deadlineMs ?? 1000,
    freshnessMs: { bars: 60_000, news: 60_000, quote: 15_000 },
    health: new ProviderHealthTracker({ maxDataAgeMs: 60_000 }),
    hooks: options.hooks,
    maxQuoteAgeMs: 60_000,
    routes: {
      bars: stubs.map((s) => s.name),
      news: stubs.map((s) => s.name),
      quote: stubs.map((s) => s.name),
    },
    slots: stubs.map((client) =>
      createProviderSlot({
        breakerFailureThreshold: options.threshold ?? 3,
        breakerHalfOpenAfterMs: options.halfOpenAfterMs ?? 60_000,
        client,
        keys: options.keys ?? ['k1'],
        perKeyLimits: [{ burst: 1000, limit: 1000, windowMs: 60_000 }],
      }),
    ),
  });
}

describe('MarketDataRouter', () => {
  describe('#getQuote', () => {
    it('serves from the primary and says which provider and how old', async () => {
      const router = build([
        new StubProvider('finnhub'),
        new StubProvider('polygon'),
      ]);
      const quote = await router.getQuote('aapl');
      expect(quote).toMatchObject({
        cached: false,
        provider: 'finnhub',
        stale: false,
        symbol: 'AAPL',
      });
      expect(quote.ageMs).toBeGreaterThanOrEqual(100);
    });

    it.each<[string, Behaviour]>([
      ['is down', 'fail'],
      ['is rate limited', 'limited'],
      ['refuses the key', 'auth'],
      ['does not know the symbol', 'not-found'],
    ])(
      'fails over to Polygon when Finnhub %s',
      async (_condition, behaviour) => {
        const finnhub = new StubProvider('finnhub');
        finnhub.behaviour = behaviour;
        const failovers: string[] = [];
        const router = build([finnhub, new StubProvider('polygon')], {
          hooks: { onFailover: (e) => failovers.push(e.reason) },
        });
        await expect(router.getQuote('AAPL')).resolves.toMatchObject({
          provider: 'polygon',
        });
        expect(failovers).toHaveLength(1);
      },
    );

    it('fails over to Polygon when Finnhub times out, within the request deadline', async () => {
      const router = build(
        [hangingStub('finnhub'), new StubProvider('polygon')],
        { deadlineMs: 500 },
      );
      const started = Date.now();
      await expect(router.getQuote('AAPL')).resolves.toMatchObject({
        provider: 'polygon',
      });
      expect(Date.now() - started).toBeLessThan(500);
    });

    it('stops at the request deadline when every provider hangs', async () => {
      const router = build(
        [
          hangingStub('finnhub'),
          hangingStub('polygon'),
          hangingStub('alphavantage'),
        ],
        { deadlineMs: 150 },
      );
      const started = Date.now();
      const err = await router.getQuote('AAPL').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderUnavailableError);
      expect((err as ProviderUnavailableError).httpStatus).toBe(503);
      expect(Date.now() - started).toBeLessThan(400);
    });

    it('rotates to the next key of the same provider when a key is refused', async () => {
      const finnhub = new StubProvider('finnhub');
      finnhub.badKeys.add('k1');
      const router = build([finnhub, new StubProvider('polygon')], {
        keys: ['k1', 'k2'],
      });
      await expect(router.getQuote('AAPL')).resolves.toMatchObject({
        provider: 'finnhub',
      });
      await router.getQuote('MSFT');
      expect(finnhub.keysUsed).toEqual(['k1', 'k2', 'k2']);
      expect(
        router.health().find((h) => h.provider === 'finnhub')?.usableKeys,
      ).toBe(1);
    });

    it('answers 404 when no provider knows the symbol', async () => {
      const a = new StubProvider('finnhub');
      const b = new StubProvider('polygon');
      a.behaviour = b.behaviour = 'not-found';
      const err = await build([a, b])
        .getQuote('ZZZZ')
        .catch((e: unknown) => e);
      expect((err as ProviderUnavailableError).httpStatus).toBe(404);
    });

    it('answers 429 with the earliest retry when every provider is limited', async () => {
      const a = new StubProvider('finnhub');
      const b = new StubProvider('polygon');
      a.behaviour = b.behaviour = 'limited';
      const err = await build([a, b])
        .getQuote('AAPL')
        .catch((e: unknown) => e);
      expect((err as ProviderUnavailableError).httpStatus).toBe(429);
      expect((err as ProviderUnavailableError).retryAfterMs).toBeGreaterThan(0);
    });

    it('serves the freshest stale price flagged stale when no provider has a fresh one', async () => {
      const a = new StubProvider('finnhub');
      const b = new StubProvider('polygon');
      a.behaviour = b.behaviour = 'stale';
      b.staleAgeMs = 120_000;
      const quote = await build([a, b]).getQuote('AAPL');
      expect(quote).toMatchObject({ provider: 'polygon', stale: true });
      expect(quote.ageMs).toBeGreaterThanOrEqual(120_000);
    });

    it('makes one upstream call for concurrent requests for the same symbol', async () => {
      const finnhub = new StubProvider('finnhub');
      const joined: boolean[] = [];
      const router = build([finnhub], {
        hooks: { onSingleFlight: (e) => joined.push(e.joined) },
      });
      const quotes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          router.getQuote(['AAPL', 'MSFT'][i % 2]),
        ),
      );
      expect(finnhub.keysUsed).toHaveLength(2);
      expect(quotes.every((q) => q.price === 100)).toBe(true);
      expect(joined.filter((j) => !j)).toHaveLength(2);
    });

    it('waits for the primary limiter when a token comes within the deadline', async () => {
      const finnhub = new StubProvider('finnhub');
      const polygon = new StubProvider('polygon');
      const router = new MarketDataRouter({
        attemptTimeoutMs: 100,
        cache: new MemoryMarketDataCache(),
        deadlineMs: 1000,
        freshnessMs: { bars: 1, news: 1, quote: 1 },
        health: new ProviderHealthTracker({ maxDataAgeMs: 60_000 }),
        maxQuoteAgeMs: 60_000,
        routes: { bars: [], news: [], quote: ['finnhub', 'polygon'] },
        slots: [finnhub, polygon].map((client) =>
          createProviderSlot({
            client,
            keys: ['k1'],
            perKeyLimits: [{ burst: 1, limit: 10, windowMs: 1000 }],
          }),
        ),
      });
      const quotes = await Promise.all(
        ['A', 'B', 'C'].map((s) => router.getQuote(s)),
      );
      expect(quotes.map((q) => q.provider)).toEqual([
        'finnhub',
        'finnhub',
        'finnhub',
      ]);
      expect(polygon.keysUsed).toHaveLength(0);
    });

    it('serves repeated requests from the cache within the freshness window', async () => {
      const finnhub = new StubProvider('finnhub');
      const router = build([finnhub]);
      await router.getQuote('AAPL');
      const again = await router.getQuote('AAPL');
      expect(again.cached).toBe(true);
      expect(finnhub.keysUsed).toHaveLength(1);
    });

    it('opens the breaker of a failing primary and skips it without calling', async () => {
      const finnhub = new StubProvider('finnhub');
      finnhub.behaviour = 'fail';
      const router = build([finnhub, new StubProvider('polygon')], {
        threshold: 2,
      });
      for (const s of ['A', 'B', 'C', 'D']) await router.getQuote(s);
      expect(finnhub.keysUsed).toHaveLength(2);
      expect(
        router.health().find((h) => h.provider === 'finnhub')?.breaker,
      ).toBe('open');
    });

    it('returns to the primary after its breaker closes', async () => {
      const finnhub = new StubProvider('finnhub');
      finnhub.behaviour = 'fail';
      const router = build([finnhub, new StubProvider('polygon')], {
        halfOpenAfterMs: 50,
        threshold: 1,
      });
      await expect(router.getQuote('A')).resolves.toMatchObject({
        provider: 'polygon',
      });
      await expect(router.getQuote('B')).resolves.toMatchObject({
        provider: 'polygon',
      });
      finnhub.behaviour = 'ok';
      await new Promise((r) => setTimeout(r, 60));
      await expect(router.getQuote('C')).resolves.toMatchObject({
        provider: 'finnhub',
      });
      expect(
        router.health().find((h) => h.provider === 'finnhub')?.breaker,
      ).toBe('closed');
      await expect(router.getQuote('D')).resolves.toMatchObject({
        provider: 'finnhub',
      });
    });
  });

  describe('#health', () => {
    it('scores a provider with an open breaker at zero', async () => {
      const finnhub = new StubProvider('finnhub');
      finnhub.behaviour = 'fail';
      const router = build([finnhub, new StubProvider('polygon')], {
        threshold: 1,
      });
      await router.getQuote('A');
      const [fh, pg] = router.health();
      expect(fh).toMatchObject({ breaker: 'open', score: 0, successRate: 0 });
      expect(pg.score).toBeGreaterThan(0.5);
      expect(pg.latencyMs.p95).not.toBeNull();
    });
  });
});
