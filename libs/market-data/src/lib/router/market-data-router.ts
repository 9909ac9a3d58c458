import { type LogSink, NOOP_LOG_SINK, type Quote } from '@freeride/contracts';
import { ATTR, TRACER_NAME, recordError, withSpan } from '@freeride/tracing';

import { type Span, trace } from '@opentelemetry/api';

import type { MarketDataCache } from '../cache/market-data-cache';
import type {
  Bar,
  BarInterval,
  CachedKind,
  NewsItem,
  ProviderName,
  ProviderQuote,
} from '../market-data.types';
import type {
  ProviderHealthSnapshot,
  ProviderHealthTracker,
} from '../policies/provider-health';
import { SingleFlight } from '../policies/single-flight';
import { type Fetched, fetchWithFailover } from './failover';
import {
  type AttemptPolicy,
  type ProviderCall,
  attemptProvider,
} from './provider-attempt';
import type { ProviderSlot } from './provider-slot';
import { toQuote } from './quote-mapping';
import type { RouterHooks } from './router-hooks';

/** Options of {@link MarketDataRouter}. */
export interface MarketDataRouterOptions {
  /**
   * Upper bound of one provider call; each call also stops at the request deadline.
   * @default 1500
   */
  attemptTimeoutMs?: number;
  cache: MarketDataCache;
  /**
   * Per-request deadline across every attempt and failover.
   * @default 3000
   */
  deadlineMs?: number;
  /** How long fetched data is served from the cache, per kind. */
  freshnessMs: Record<CachedKind, number>;
  health: ProviderHealthTracker;
  hooks?: RouterHooks;
  /** @default NOOP_LOG_SINK */
  logger?: LogSink;
  /**
   * Longest wait for a local limiter token before failing over.
   * @default 1000
   */
  maxLimiterWaitMs?: number;
  /** Quotes older than this are flagged `stale`. */
  maxQuoteAgeMs: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Ordered provider names per kind: the first is the primary. */
  routes: Record<CachedKind, readonly ProviderName[]>;
  slots: readonly ProviderSlot[];
}

/** Per-request options. */
export interface RequestOptions {
  /** Overrides the router's default deadline for this request. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/** Bars as the gateway serves them. */
export interface BarsResult {
  /** Ms since the bars were fetched from the provider. */
  ageMs: number;
  bars: Bar[];
  cached: boolean;
  interval: BarInterval;
  provider: ProviderName;
  receivedAt: string;
  symbol: string;
}

/** News as the gateway serves them. */
export interface NewsResult {
  ageMs: number;
  cached: boolean;
  items: NewsItem[];
  provider: ProviderName;
  receivedAt: string;
  symbol: string;
}

const tracer = trace.getTracer(TRACER_NAME);

/**
 * Serves quotes, bars and news from the cache or from the first provider
 * that can, in each kind's configured order: one key-rotating attempt per
 * provider through its circuit breaker and token buckets, failover on any
 * failure, all within one per-request deadline. Concurrent requests for the
 * same data share one upstream call (single-flight).
 */
export class MarketDataRouter {
  private readonly flights = new SingleFlight<Fetched<unknown>>();
  private readonly now: () => number;
  private readonly policy: AttemptPolicy;
  private readonly slots: Map<ProviderName, ProviderSlot>;

  constructor(private readonly options: MarketDataRouterOptions) {
    this.now = options.now ?? Date.now;
    this.policy = {
      attemptTimeoutMs: options.attemptTimeoutMs ?? 1500,
      health: options.health,
      hooks: options.hooks,
      logger: options.logger ?? NOOP_LOG_SINK,
      maxLimiterWaitMs: options.maxLimiterWaitMs ?? 1000,
      now: this.now,
    };
    this.slots = new Map(options.slots.map((s) => [s.client.name, s]));
  }

  /** The latest quote of `symbol`, saying which provider served it and how old it is. */
  async getQuote(symbol: string, request: RequestOptions = {}): Promise<Quote> {
    const sym = symbol.toUpperCase();
    return this.traced('get-quote', sym, async (span) => {
      const { cached, fetched } = await this.cachedOrFetch<ProviderQuote>(
        span,
        'quote',
        `quote:${sym}`,
        sym,
        request,
        (c, o) => c.getQuote({ ...o, symbol: sym }),
      );
      const quote = toQuote(
        fetched.value,
        this.now(),
        this.options.maxQuoteAgeMs,
        cached,
      );
      span.setAttribute(ATTR.MARKET_PROVIDER, quote.provider);
      return quote;
    });
  }

  /** Intraday bars of `symbol`, oldest first. */
  async getBars(
    symbol: string,
    interval: BarInterval,
    request: RequestOptions = {},
  ): Promise<BarsResult> {
    const sym = symbol.toUpperCase();
    return this.traced('get-bars', sym, async (span) => {
      const { cached, fetched } = await this.cachedOrFetch<Bar[]>(
        span,
        'bars',
        `bars:${sym}:${interval}`,
        sym,
        request,
        (c, o) => c.getBars({ ...o, interval, symbol: sym }),
      );
      return {
        ageMs: Math.max(0, this.now() - fetched.receivedAt),
        bars: fetched.value,
        cached,
        interval,
        provider: fetched.provider,
        receivedAt: new Date(fetched.receivedAt).toISOString(),
        symbol: sym,
      };
    });
  }

  /** Company news of `symbol` between two days (`YYYY-MM-DD`), newest first. */
  async getNews(
    symbol: string,
    from: string,
    to: string,
    request: RequestOptions = {},
  ): Promise<NewsResult> {
    const sym = symbol.toUpperCase();
    return this.traced('get-news', sym, async (span) => {
      const { cached, fetched } = await this.cachedOrFetch<NewsItem[]>(
        span,
        'news',
        `news:${sym}:${from}:${to}`,
        sym,
        request,
        (c, o) => c.getNews({ ...o, from, symbol: sym, to }),
      );
      return {
        ageMs: Math.max(0, this.now() - fetched.receivedAt),
        cached,
        items: fetched.value,
        provider: fetched.provider,
        receivedAt: new Date(fetched.receivedAt).toISOString(),
        symbol: sym,
      };
    });
  }

  /**
   * Calls the provider's probe (its test symbol) through its breaker and key
   * pool, skipping the cache. A success while half-open closes the breaker.
   */
  async probe(
    provider: ProviderName,
    timeoutMs: number,
  ): Promise<ProviderQuote> {
    const slot = this.slot(provider);
    return withSpan(
      'market-data probe',
      { [ATTR.MARKET_PROVIDER]: provider },
      () =>
        attemptProvider(this.policy, {
          call: (c, o) => c.probe(o),
          capability: 'quote',
          deadlineAt: this.now() + timeoutMs,
          slot,
          symbol: slot.client.testSymbol,
        }),
    );
  }

  /** Health of every configured provider. */
  health(): ProviderHealthSnapshot[] {
    return [...this.slots.values()].map((slot) =>
      this.options.health.snapshot(slot.client.name, {
        breaker: slot.breaker.state,
        limiterHeadroom: slot.keys.headroom(),
        usableKeys: slot.keys.usableKeys,
      }),
    );
  }

  /** The slot of one provider. */
  slot(provider: ProviderName): ProviderSlot {
    const slot = this.slots.get(provider);
    if (!slot) throw new Error(`provider ${provider} is not configured`);
    return slot;
  }

  private async cachedOrFetch<T>(
    span: Span,
    kind: CachedKind,
    key: string,
    symbol: string,
    request: RequestOptions,
    call: ProviderCall<T>,
  ): Promise<{ cached: boolean; fetched: Fetched<T> }> {
    const hit = await tracer.startActiveSpan(
      'market-data cache.lookup',
      async (lookup) => {
        try {
          const entry = await this.options.cache.get<Fetched<T>>(key);
          lookup.setAttribute(ATTR.MARKET_CACHE_HIT, entry !== null);
          return entry;
        } catch (err) {
          // A cache outage degrades to provider calls, visibly.
          recordError(lookup, err);
          this.policy.logger.warn(
            { err, kind },
            'market-data cache lookup failed',
          );
          return null;
        } finally {
          lookup.end();
        }
      },
    );
    this.options.hooks?.onCache?.({ kind, outcome: hit ? 'hit' : 'miss' });
    if (hit) return { cached: true, fetched: hit.value };

    const { joined, value } = await this.flights.do(key, async () => {
      const fetched = await fetchWithFailover(this.policy, {
        call,
        deadlineAt:
          this.now() + (request.deadlineMs ?? this.options.deadlineMs ?? 3000),
        kind,
        route: this.route(kind, symbol),
        signal: request.signal,
        span,
        symbol,
      });
      await this.options.cache
        .set(
          key,
          { storedAt: this.now(), value: fetched },
          this.options.freshnessMs[kind],
        )
        .catch((err: unknown) =>
          this.policy.logger.warn(
            { err, kind },
            'market-data cache write failed',
          ),
        );
      return fetched;
    });
    span.setAttribute(ATTR.MARKET_SINGLE_FLIGHT_JOINED, joined);
    this.options.hooks?.onSingleFlight?.({ joined, kind });
    return { cached: false, fetched: value as Fetched<T> };
  }

  /** The configured providers of `kind` that can serve `symbol`, primary first. */
  private route(kind: CachedKind, symbol: string): ProviderSlot[] {
    return this.options.routes[kind].flatMap((name) => {
      const slot = this.slots.get(name);
      return slot && slot.client.canHandle(kind, symbol) ? [slot] : [];
    });
  }

  /**
   * Runs one public read in a `market-data <operation>` span tagged with the
   * symbol; a failure is recorded on the span and rethrown.
   */
  private traced<T>(
    operation: 'get-bars' | 'get-news' | 'get-quote',
    symbol: string,
    fn: (span: Span) => Promise<T>,
  ): Promise<T> {
    return withSpan(
      `market-data ${operation}`,
      { [ATTR.MARKET_SYMBOL]: symbol },
      fn,
    );
  }
}
