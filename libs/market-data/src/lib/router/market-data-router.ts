import { type LogSink, NOOP_LOG_SINK, type Quote } from '@freeride/contracts';

import { type Span, trace } from '@opentelemetry/api';

import type { MarketDataCache } from '../cache/market-data-cache';
import {
  type AttemptFailure,
  AuthFailedError,
  CircuitOpenError,
  ProviderError,
  type ProviderFailureKind,
  ProviderUnavailableError,
  RateLimitedError,
  StaleQuoteError,
  UpstreamError,
} from '../market-data.errors';
import type {
  Bar,
  BarInterval,
  CachedKind,
  Capability,
  MarketDataProvider,
  NewsItem,
  ProviderCallOptions,
  ProviderName,
  ProviderQuote,
  Trade,
} from '../market-data.types';
import type { KeyLease } from '../policies/key-pool';
import type {
  ProviderHealthSnapshot,
  ProviderHealthTracker,
} from '../policies/provider-health';
import { SingleFlight } from '../policies/single-flight';
import { ATTR } from '../telemetry/attribute-names';
import { recordError } from '../telemetry/record-error';
import type { ProviderSlot } from './provider-slot';

/** Outcome label of one provider attempt. */
export type AttemptOutcome = ProviderFailureKind | 'success';

/** Callbacks the app turns into metrics (the lib registers none itself). */
export interface RouterHooks {
  /** After every provider attempt (each one is one upstream call, except `circuit_open` and local `rate_limited`). */
  onAttempt?(event: {
    capability: Capability;
    durationMs: number;
    outcome: AttemptOutcome;
    provider: ProviderName;
    upstreamCall: boolean;
  }): void;
  /** After every cache lookup. */
  onCache?(event: { kind: CachedKind; outcome: 'hit' | 'miss' }): void;
  /** When the router leaves a provider for the next one. */
  onFailover?(event: {
    capability: Capability;
    from: ProviderName;
    reason: ProviderFailureKind | 'deadline';
  }): void;
  /** When a request joins an upstream call already in flight. */
  onSingleFlight?(event: { joined: boolean; kind: CachedKind }): void;
  /** When stale data is served because nothing fresher was available. */
  onStaleServed?(event: { kind: CachedKind; provider: ProviderName }): void;
}

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

interface Fetched<T> {
  provider: ProviderName;
  receivedAt: number;
  stale: boolean;
  value: T;
}

type Call<T> = (
  client: MarketDataProvider,
  options: ProviderCallOptions,
) => Promise<T>;

const tracer = trace.getTracer('@freeride/market-data');

/** Converts a provider quote to the wire {@link Quote}, with its age at `now`. */
export function toQuote(
  q: ProviderQuote,
  now: number,
  maxAgeMs: number,
  cached: boolean,
): Quote {
  const ageMs = Math.max(0, Math.round(now - q.asOf));
  return {
    ageMs,
    asOf: new Date(q.asOf).toISOString(),
    cached,
    price: q.price,
    provider: q.provider,
    receivedAt: new Date(q.receivedAt).toISOString(),
    stale: ageMs > maxAgeMs,
    symbol: q.symbol,
    ...(q.volume === undefined ? {} : { volume: q.volume }),
  };
}

/** Converts a streamed trade to the wire {@link Quote}. */
export function tradeToQuote(t: Trade, now: number, maxAgeMs: number): Quote {
  return toQuote(
    {
      asOf: t.timestamp,
      price: t.price,
      provider: t.provider,
      receivedAt: now,
      symbol: t.symbol,
      volume: t.volume,
    },
    now,
    maxAgeMs,
    false,
  );
}

/**
 * Serves quotes, bars and news from the cache or from the first provider
 * that can, in each kind's configured order: one key-rotating attempt per
 * provider through its circuit breaker and token buckets, failover on any
 * failure, all within one per-request deadline. Concurrent requests for the
 * same data share one upstream call (single-flight).
 */
export class MarketDataRouter {
  private readonly flights = new SingleFlight<Fetched<unknown>>();
  private readonly logger: LogSink;
  private readonly now: () => number;
  private readonly slots: Map<ProviderName, ProviderSlot>;

  constructor(private readonly options: MarketDataRouterOptions) {
    this.logger = options.logger ?? NOOP_LOG_SINK;
    this.now = options.now ?? Date.now;
    this.slots = new Map(options.slots.map((s) => [s.client.name, s]));
  }

  /** The latest quote of `symbol`, saying which provider served it and how old it is. */
  async getQuote(symbol: string, request: RequestOptions = {}): Promise<Quote> {
    const sym = symbol.toUpperCase();
    return tracer.startActiveSpan('market-data get-quote', async (span) => {
      span.setAttribute(ATTR.symbol, sym);
      try {
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
        span.setAttribute(ATTR.provider, quote.provider);
        return quote;
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  /** Intraday bars of `symbol`, oldest first. */
  async getBars(
    symbol: string,
    interval: BarInterval,
    request: RequestOptions = {},
  ): Promise<BarsResult> {
    const sym = symbol.toUpperCase();
    return tracer.startActiveSpan('market-data get-bars', async (span) => {
      span.setAttribute(ATTR.symbol, sym);
      try {
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
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
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
    return tracer.startActiveSpan('market-data get-news', async (span) => {
      span.setAttribute(ATTR.symbol, sym);
      try {
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
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
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
    return tracer.startActiveSpan('market-data probe', async (span) => {
      span.setAttribute(ATTR.provider, provider);
      try {
        return await this.attemptProvider(
          slot,
          'quote',
          slot.client.testSymbol,
          this.now() + timeoutMs,
          undefined,
          (c, o) => c.probe(o),
        );
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
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
    call: Call<T>,
  ): Promise<{ cached: boolean; fetched: Fetched<T> }> {
    const hit = await tracer.startActiveSpan(
      'market-data cache.lookup',
      async (lookup) => {
        try {
          const entry = await this.options.cache.get<Fetched<T>>(key);
          lookup.setAttribute(ATTR.cacheHit, entry !== null);
          return entry;
        } catch (err) {
          // A cache outage degrades to provider calls, visibly.
          recordError(lookup, err);
          this.logger.warn({ err, kind }, 'market-data cache lookup failed');
          return null;
        } finally {
          lookup.end();
        }
      },
    );
    this.options.hooks?.onCache?.({ kind, outcome: hit ? 'hit' : 'miss' });
    if (hit) return { cached: true, fetched: hit.value };

    const { joined, value } = await this.flights.do(key, async () => {
      const fetched = await this.fetchWithFailover(
        span,
        kind,
        symbol,
        request,
        call,
      );
      await this.options.cache
        .set(
          key,
          { storedAt: this.now(), value: fetched },
          this.options.freshnessMs[kind],
        )
        .catch((err: unknown) =>
          this.logger.warn({ err, kind }, 'market-data cache write failed'),
        );
      return fetched;
    });
    span.setAttribute(ATTR.singleFlightJoined, joined);
    this.options.hooks?.onSingleFlight?.({ joined, kind });
    return { cached: false, fetched: value as Fetched<T> };
  }

  private async fetchWithFailover<T>(
    span: Span,
    kind: CachedKind,
    symbol: string,
    request: RequestOptions,
    call: Call<T>,
  ): Promise<Fetched<T>> {
    const deadlineAt =
      this.now() + (request.deadlineMs ?? this.options.deadlineMs ?? 3000);
    const attempts: AttemptFailure[] = [];
    const route = this.options.routes[kind].filter((name) => {
      const slot = this.slots.get(name);
      return slot !== undefined && slot.client.canHandle(kind, symbol);
    });
    let staleFallback: Fetched<T> | undefined;
    let lastError: unknown;
    for (const name of route) {
      if (this.now() >= deadlineAt) {
        attempts.push({ kind: 'deadline', provider: name });
        break;
      }
      const slot = this.slot(name);
      try {
        const value = await this.attemptProvider(
          slot,
          kind,
          symbol,
          deadlineAt,
          request.signal,
          call,
        );
        return { provider: name, receivedAt: this.now(), stale: false, value };
      } catch (err) {
        lastError = err;
        const reason: ProviderFailureKind =
          err instanceof ProviderError ? err.kind : 'upstream';
        attempts.push({
          kind: reason,
          provider: name,
          retryAfterMs:
            err instanceof RateLimitedError ? err.retryAfterMs : undefined,
        });
        if (err instanceof StaleQuoteError) {
          const older = staleFallback?.value as ProviderQuote | undefined;
          if (!older || older.asOf < err.quote.asOf) {
            staleFallback = {
              provider: name,
              receivedAt: err.quote.receivedAt,
              stale: true,
              value: err.quote as T,
            };
          }
        }
        // Degrading is always visible: warn log, counter (hook) and span event.
        this.logger.warn(
          { capability: kind, err, provider: name, reason, symbol },
          'provider failover',
        );
        this.options.hooks?.onFailover?.({
          capability: kind,
          from: name,
          reason,
        });
        span.addEvent('failover', {
          [ATTR.failoverFrom]: name,
          [ATTR.failoverReason]: reason,
        });
      }
    }
    if (staleFallback) {
      this.logger.warn(
        { capability: kind, provider: staleFallback.provider, symbol },
        'serving stale data',
      );
      this.options.hooks?.onStaleServed?.({
        kind,
        provider: staleFallback.provider,
      });
      return staleFallback;
    }
    throw new ProviderUnavailableError({
      attempts,
      capability: kind,
      cause: lastError,
      symbol,
    });
  }

  /**
   * Takes a key token, waiting for one when the local limiter says it comes
   * within `maxLimiterWaitMs` and before the deadline: a burst queues briefly
   * on the primary instead of spilling onto the fallbacks.
   */
  private async acquireKey(
    slot: ProviderSlot,
    symbol: string,
    deadlineAt: number,
  ): Promise<KeyLease> {
    for (;;) {
      try {
        return await slot.keys.reserve(symbol);
      } catch (err) {
        const budget = Math.min(
          this.options.maxLimiterWaitMs ?? 1000,
          deadlineAt - this.now() - 50,
        );
        if (!(err instanceof RateLimitedError) || err.retryAfterMs > budget)
          throw err;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(1, err.retryAfterMs)),
        );
      }
    }
  }

  /**
   * One provider, rotating through its keys: a limited key is paused for the
   * provider's `Retry-After` and a refused key revoked, then the next key is
   * tried, until the provider answers or has no key left.
   */
  private async attemptProvider<T>(
    slot: ProviderSlot,
    capability: Capability,
    symbol: string,
    deadlineAt: number,
    signal: AbortSignal | undefined,
    call: Call<T>,
  ): Promise<T> {
    const name = slot.client.name;
    let lastError: unknown;
    for (let i = 0; i <= slot.keys.size; i++) {
      const timeoutMs = Math.min(
        this.options.attemptTimeoutMs ?? 1500,
        deadlineAt - this.now(),
      );
      if (timeoutMs <= 0) break;
      const started = this.now();
      let lease;
      try {
        lease = await this.acquireKey(slot, symbol, deadlineAt);
      } catch (err) {
        this.options.hooks?.onAttempt?.({
          capability,
          durationMs: 0,
          outcome: err instanceof ProviderError ? err.kind : 'upstream',
          provider: name,
          upstreamCall: false,
        });
        throw err;
      }
      const current = lease;
      const result = await tracer.startActiveSpan(
        'market-data provider.attempt',
        async (span) => {
          span.setAttributes({
            [ATTR.attempt]: i + 1,
            [ATTR.capability]: capability,
            [ATTR.keyId]: current.id,
            [ATTR.provider]: name,
          });
          try {
            const value = await slot.breaker.execute(() =>
              call(slot.client, { apiKey: current.key, signal, timeoutMs }),
            );
            span.setAttribute(ATTR.outcome, 'success');
            return { ok: true as const, value };
          } catch (err) {
            span.setAttribute(
              ATTR.outcome,
              err instanceof ProviderError ? err.kind : 'upstream',
            );
            recordError(span, err);
            return { err, ok: false as const };
          } finally {
            span.end();
          }
        },
      );
      if (!(result.ok === false && result.err instanceof CircuitOpenError))
        current.complete();
      const durationMs = this.now() - started;
      if (result.ok) {
        this.options.health.record(name, { latencyMs: durationMs, ok: true });
        if (capability === 'quote')
          this.options.health.recordData(
            name,
            (result.value as ProviderQuote).asOf,
          );
        this.options.hooks?.onAttempt?.({
          capability,
          durationMs,
          outcome: 'success',
          provider: name,
          upstreamCall: true,
        });
        return result.value;
      }
      const err =
        result.err instanceof ProviderError
          ? result.err
          : new UpstreamError(name, {
              cause: result.err,
              reason: 'unexpected error',
              symbol,
            });
      lastError = err;
      const upstreamCall = !(err instanceof CircuitOpenError);
      if (!upstreamCall) current.cancel();
      else
        this.options.health.record(name, {
          kind: err.kind,
          latencyMs: durationMs,
          ok: false,
        });
      if (err instanceof StaleQuoteError)
        this.options.health.recordData(name, err.quote.asOf);
      this.options.hooks?.onAttempt?.({
        capability,
        durationMs,
        outcome: err.kind,
        provider: name,
        upstreamCall,
      });
      if (err instanceof RateLimitedError) {
        current.throttle(err.retryAfterMs);
        this.logger.warn(
          {
            keyId: current.id,
            provider: name,
            retryAfterMs: err.retryAfterMs,
            window: err.window,
          },
          'provider key rate limited',
        );
        continue;
      }
      if (err instanceof AuthFailedError) {
        current.revoke();
        this.logger.warn(
          { keyId: current.id, provider: name },
          'provider key revoked',
        );
        continue;
      }
      throw err;
    }
    if (lastError instanceof Error) throw lastError;
    throw new UpstreamError(name, {
      reason: 'request deadline exhausted',
      symbol,
    });
  }
}
