import { z } from 'zod';

import { isRecord, parseJsonBody, providerGet } from '../http/provider-http';
import {
  AuthFailedError,
  MalformedResponseError,
  NotEntitledError,
  StaleQuoteError,
  SymbolNotFoundError,
  UpstreamError,
} from '../market-data.errors';
import type {
  Bar,
  BarInterval,
  Capability,
  GetBarsOptions,
  GetQuoteOptions,
  MarketDataProvider,
  NewsItem,
  ProviderCallOptions,
  ProviderQuote,
  SubscribeOptions,
  TradeSubscription,
} from '../market-data.types';
import { ReconnectingSocket } from '../streaming/reconnecting-socket';
import {
  DEFAULT_MAX_QUOTE_AGE_MS,
  type ProviderClientOptions,
  joinUrl,
} from './provider-client.options';
import {
  parseStreamFrame,
  rateLimitedFrom,
  tradeSubscription,
} from './provider-shared';

/** Polygon's free plan is 5 calls/minute; without `Retry-After` wait out a slice of it. */
const DEFAULT_RETRY_AFTER_MS = 12_000;

/** How far back intraday bars reach. */
const BARS_LOOKBACK_MS = 24 * 3_600_000;

const LastTradeBody = z.object({
  results: z.object({
    T: z.string().optional(),
    p: z.number(),
    s: z.number().optional(),
    t: z.number(),
  }),
  status: z.string(),
});

const AggsBody = z.object({
  results: z
    .array(
      z.object({
        c: z.number(),
        h: z.number(),
        l: z.number(),
        o: z.number(),
        t: z.number(),
        v: z.number(),
      }),
    )
    .optional(),
  status: z.string(),
});

const StreamEvent = z.looseObject({ ev: z.string() });
const TradeEvent = z.object({
  ev: z.literal('T'),
  p: z.number(),
  s: z.number(),
  sym: z.string(),
  t: z.number(),
});
const StatusEvent = z.object({
  ev: z.literal('status'),
  message: z.string().optional(),
  status: z.string(),
});

/** `5min` → `[5, 'minute']`, `60min` → `[1, 'hour']`. */
function aggRange(interval: BarInterval): [number, 'hour' | 'minute'] {
  const minutes = Number(interval.replace('min', ''));
  return minutes === 60 ? [1, 'hour'] : [minutes, 'minute'];
}

/**
 * Polygon.io / Massive REST (`/v2/last/trade`, `/v2/aggs`) and websocket
 * trades. REST authenticates with `Authorization: Bearer`; REST trade times
 * are nanoseconds, aggregates and stream times milliseconds.
 * @see https://polygon.io/docs/stocks
 */
export class PolygonProvider implements MarketDataProvider {
  readonly capabilities: readonly Capability[] = ['bars', 'quote', 'trades'];
  readonly name = 'polygon' as const;
  readonly testSymbol = 'AAPL';
  private readonly maxQuoteAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProviderClientOptions) {
    this.maxQuoteAgeMs = options.maxQuoteAgeMs ?? DEFAULT_MAX_QUOTE_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  canHandle(capability: Capability, symbol: string): boolean {
    return (
      this.capabilities.includes(capability) &&
      /^[A-Z0-9.:-]{1,20}$/i.test(symbol)
    );
  }

  async getQuote(options: GetQuoteOptions): Promise<ProviderQuote> {
    const { symbol } = options;
    const body = await this.get(
      'polygon last-trade',
      `v2/last/trade/${encodeURIComponent(symbol)}`,
      options,
      symbol,
    );
    const parsed = LastTradeBody.safeParse(body);
    if (!parsed.success)
      throw new MalformedResponseError(this.name, {
        reason: 'last trade fields missing',
        symbol,
      });
    const { p, s, t } = parsed.data.results;
    if (p <= 0)
      throw new MalformedResponseError(this.name, {
        reason: 'non-positive price',
        symbol,
      });
    const quote: ProviderQuote = {
      // REST trade timestamps are nanoseconds.
      asOf: Math.floor(t / 1e6),
      price: p,
      provider: this.name,
      receivedAt: this.now(),
      symbol,
      volume: s,
    };
    if (quote.receivedAt - quote.asOf > this.maxQuoteAgeMs)
      throw new StaleQuoteError(quote, this.maxQuoteAgeMs);
    return quote;
  }

  async getBars(options: GetBarsOptions): Promise<Bar[]> {
    const { interval, symbol } = options;
    const [multiplier, timespan] = aggRange(interval);
    const to = this.now();
    const path =
      `v2/aggs/ticker/${encodeURIComponent(symbol)}/range/${multiplier}/${timespan}/${to - BARS_LOOKBACK_MS}/${to}` +
      '?adjusted=true&sort=asc&limit=5000';
    const body = await this.get('polygon aggregates', path, options, symbol);
    const parsed = AggsBody.safeParse(body);
    if (!parsed.success)
      throw new MalformedResponseError(this.name, {
        reason: 'aggregates fields missing',
        symbol,
      });
    return (parsed.data.results ?? []).map((r) => ({
      close: r.c,
      high: r.h,
      low: r.l,
      open: r.o,
      start: new Date(r.t).toISOString(),
      volume: r.v,
    }));
  }

  getNews(): Promise<NewsItem[]> {
    return Promise.reject(
      new NotEntitledError(this.name, { details: { capability: 'news' } }),
    );
  }

  probe(options: ProviderCallOptions): Promise<ProviderQuote> {
    return this.getQuote({ ...options, symbol: this.testSymbol });
  }

  subscribe(options: SubscribeOptions): TradeSubscription {
    const wsUrl = this.options.wsUrl;
    if (!wsUrl) throw new Error('polygon subscribe needs wsUrl');
    const symbols = new Set(options.symbols);
    let authenticated = false;
    const sendSubscribe = (list: Iterable<string>): void => {
      const params = [...list].map((s) => `T.${s}`).join(',');
      if (params) socket.send({ action: 'subscribe', params });
    };
    const socket = new ReconnectingSocket({
      initialBackoffMs: this.options.streamInitialBackoffMs,
      onClose: (reason) => {
        authenticated = false;
        options.onStatus?.({ reason, state: 'disconnected' });
      },
      onMessage: (text) => {
        const frame = parseStreamFrame(this.name, text, options.onStatus);
        if (frame === undefined) return;
        // Every frame is an array and may batch several events.
        for (const raw of Array.isArray(frame) ? frame : [frame]) {
          const event = StreamEvent.safeParse(raw);
          if (!event.success) continue;
          const trade = TradeEvent.safeParse(raw);
          if (trade.success) {
            const t = trade.data;
            options.onTrade({
              price: t.p,
              provider: this.name,
              symbol: t.sym,
              timestamp: t.t,
              volume: t.s,
            });
            continue;
          }
          const status = StatusEvent.safeParse(raw);
          if (!status.success) continue;
          switch (status.data.status) {
            case 'connected':
              socket.send({ action: 'auth', params: options.apiKey() });
              break;
            case 'auth_success':
              authenticated = true;
              socket.markHealthy();
              options.onStatus?.({ state: 'connected' });
              sendSubscribe(symbols);
              options.onStatus?.({
                state: 'subscribed',
                symbols: [...symbols],
              });
              break;
            case 'auth_failed':
              // Fatal for this key, as in the official Go client.
              socket.stop();
              options.onStatus?.({
                error: new AuthFailedError(this.name),
                fatal: true,
                state: 'error',
              });
              break;
            case 'auth_timeout':
            case 'max_connections':
              options.onStatus?.({
                error: new UpstreamError(this.name, {
                  reason: status.data.status,
                }),
                fatal: false,
                state: 'error',
              });
              break;
            default:
              break;
          }
        }
      },
      onOpen: () => undefined,
      url: () => wsUrl,
    });
    socket.start();
    return tradeSubscription({
      isReady: () => authenticated,
      socket,
      subscribe: sendSubscribe,
      symbols,
    });
  }

  private async get(
    operation: string,
    path: string,
    options: ProviderCallOptions,
    symbol: string,
  ): Promise<unknown> {
    const res = await providerGet({
      headers: { Authorization: `Bearer ${options.apiKey}` },
      operation,
      provider: this.name,
      signal: options.signal,
      symbol,
      timeoutMs: options.timeoutMs,
      url: joinUrl(this.options.baseUrl, path),
    });
    if (res.status === 429) {
      throw rateLimitedFrom(this.name, res, {
        fallbackRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
        now: this.now(),
        symbol,
      });
    }
    if (res.status === 401)
      throw new AuthFailedError(this.name, { status: 401, symbol });
    if (res.status === 403) {
      const body = res.text.includes('NOT_AUTHORIZED');
      throw body
        ? new NotEntitledError(this.name, { status: 403, symbol })
        : new AuthFailedError(this.name, { status: 403, symbol });
    }
    if (res.status === 404)
      throw new SymbolNotFoundError(this.name, { status: 404, symbol });
    if (res.status !== 200)
      throw new UpstreamError(this.name, {
        reason: 'unexpected status',
        status: res.status,
        symbol,
      });
    const body = parseJsonBody(this.name, res, symbol);
    if (isRecord(body) && body['status'] === 'ERROR') {
      throw new UpstreamError(this.name, {
        reason: 'status ERROR',
        status: res.status,
        symbol,
      });
    }
    return body;
  }
}
