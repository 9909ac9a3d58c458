import { z } from 'zod';

import {
  type ProviderResponse,
  isRecord,
  parseJsonBody,
  providerGet,
} from '../http/provider-http';
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
  Capability,
  GetNewsOptions,
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

/** Finnhub's free plan answers 429 without `Retry-After`; wait this long then. */
const DEFAULT_RETRY_AFTER_MS = 10_000;

const QuoteBody = z.object({
  c: z.number(),
  d: z.number().nullable().optional(),
  dp: z.number().nullable().optional(),
  h: z.number(),
  l: z.number(),
  o: z.number(),
  pc: z.number(),
  t: z.number(),
});

const NewsBody = z.array(
  z.object({
    category: z.string().optional(),
    datetime: z.number(),
    headline: z.string(),
    id: z.number(),
    image: z.string().optional(),
    related: z.string().optional(),
    source: z.string(),
    summary: z.string(),
    url: z.string(),
  }),
);

const TradeMessage = z.object({
  data: z.array(
    z.object({
      c: z.array(z.string()).nullable().optional(),
      p: z.number(),
      s: z.string(),
      t: z.number(),
      v: z.number(),
    }),
  ),
  type: z.literal('trade'),
});

/**
 * Finnhub REST (`/quote`, `/company-news`) and websocket trades.
 * The key goes in the `X-Finnhub-Token` header for REST (never in a URL
 * that could be logged) and in `?token=` for the websocket, as documented.
 * @see https://finnhub.io/docs/api/quote
 * @see https://finnhub.io/docs/api/websocket-trades
 */
export class FinnhubProvider implements MarketDataProvider {
  readonly capabilities: readonly Capability[] = ['news', 'quote', 'trades'];
  readonly name = 'finnhub' as const;
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
      /^[A-Z0-9.:\-^]{1,32}$/i.test(symbol)
    );
  }

  async getQuote(options: GetQuoteOptions): Promise<ProviderQuote> {
    const { symbol } = options;
    const body = await this.get(
      'finnhub quote',
      `quote?symbol=${encodeURIComponent(symbol)}`,
      options,
      symbol,
    );
    const parsed = QuoteBody.safeParse(body);
    if (!parsed.success) {
      throw new MalformedResponseError(this.name, {
        reason: 'quote fields missing',
        symbol,
      });
    }
    const q = parsed.data;
    // Unknown symbols come back as 200 with every field zero.
    if (q.c === 0 && q.t === 0)
      throw new SymbolNotFoundError(this.name, { symbol });
    if (q.c <= 0)
      throw new MalformedResponseError(this.name, {
        reason: 'non-positive price',
        symbol,
      });
    const quote: ProviderQuote = {
      asOf: q.t * 1000,
      price: q.c,
      provider: this.name,
      receivedAt: this.now(),
      symbol,
    };
    if (quote.receivedAt - quote.asOf > this.maxQuoteAgeMs)
      throw new StaleQuoteError(quote, this.maxQuoteAgeMs);
    return quote;
  }

  getBars(): Promise<Bar[]> {
    // Finnhub candles are a premium endpoint; the router never routes bars here.
    return Promise.reject(
      new NotEntitledError(this.name, { details: { capability: 'bars' } }),
    );
  }

  async getNews(options: GetNewsOptions): Promise<NewsItem[]> {
    const { from, symbol, to } = options;
    const path = `company-news?symbol=${encodeURIComponent(symbol)}&from=${from}&to=${to}`;
    const body = await this.get('finnhub company-news', path, options, symbol);
    const parsed = NewsBody.safeParse(body);
    if (!parsed.success) {
      throw new MalformedResponseError(this.name, {
        reason: 'company-news is not a news array',
        symbol,
      });
    }
    return parsed.data
      .map((n) => ({
        datetime: new Date(n.datetime * 1000).toISOString(),
        headline: n.headline,
        id: String(n.id),
        related: (n.related ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        source: n.source,
        summary: n.summary,
        url: n.url,
      }))
      .sort((a, b) => b.datetime.localeCompare(a.datetime));
  }

  probe(options: ProviderCallOptions): Promise<ProviderQuote> {
    return this.getQuote({ ...options, symbol: this.testSymbol });
  }

  subscribe(options: SubscribeOptions): TradeSubscription {
    const wsUrl = this.options.wsUrl;
    if (!wsUrl) throw new Error('finnhub subscribe needs wsUrl');
    const symbols = new Set(options.symbols);
    let connected = false;
    const sendSubscribe = (list: Iterable<string>): void => {
      for (const symbol of list) socket.send({ symbol, type: 'subscribe' });
    };
    const socket = new ReconnectingSocket({
      initialBackoffMs: this.options.streamInitialBackoffMs,
      onClose: (reason) => {
        connected = false;
        options.onStatus?.({ reason, state: 'disconnected' });
      },
      onMessage: (text) => {
        const msg = parseStreamFrame(this.name, text, options.onStatus);
        if (!isRecord(msg)) return;
        if (msg['type'] === 'ping') return;
        if (msg['type'] === 'error') {
          options.onStatus?.({
            error: new UpstreamError(this.name, {
              reason:
                typeof msg['msg'] === 'string' ? msg['msg'] : 'stream error',
            }),
            fatal: false,
            state: 'error',
          });
          return;
        }
        const trades = TradeMessage.safeParse(msg);
        if (!trades.success) return;
        socket.markHealthy();
        for (const t of trades.data.data) {
          options.onTrade({
            price: t.p,
            provider: this.name,
            symbol: t.s,
            timestamp: t.t,
            volume: t.v,
          });
        }
      },
      onOpen: () => {
        connected = true;
        options.onStatus?.({ state: 'connected' });
        sendSubscribe(symbols);
        options.onStatus?.({ state: 'subscribed', symbols: [...symbols] });
      },
      url: () =>
        `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(options.apiKey())}`,
    });
    socket.start();
    return tradeSubscription({
      isReady: () => connected,
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
      headers: { 'X-Finnhub-Token': options.apiKey },
      operation,
      provider: this.name,
      signal: options.signal,
      symbol,
      timeoutMs: options.timeoutMs,
      url: joinUrl(this.options.baseUrl, path),
    });
    this.throwForStatus(res, symbol);
    const body = parseJsonBody(this.name, res, symbol);
    // Finnhub sometimes answers 200 with a top-level `error`.
    if (isRecord(body) && typeof body['error'] === 'string')
      this.throwForErrorBody(body['error'], res, symbol);
    return body;
  }

  private throwForStatus(res: ProviderResponse, symbol: string): void {
    if (res.status === 429) {
      throw rateLimitedFrom(this.name, res, {
        fallbackRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
        now: this.now(),
        symbol,
      });
    }
    if (res.status === 401 || res.status === 403)
      throw new AuthFailedError(this.name, { status: res.status, symbol });
    if (res.status >= 500)
      throw new UpstreamError(this.name, {
        reason: 'server error',
        status: res.status,
        symbol,
      });
    if (res.status !== 200)
      throw new UpstreamError(this.name, {
        reason: 'unexpected status',
        status: res.status,
        symbol,
      });
  }

  private throwForErrorBody(
    message: string,
    res: ProviderResponse,
    symbol: string,
  ): never {
    if (/limit/i.test(message)) {
      throw rateLimitedFrom(this.name, res, {
        fallbackRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
        now: this.now(),
        symbol,
      });
    }
    if (/token|key|auth/i.test(message))
      throw new AuthFailedError(this.name, { status: res.status, symbol });
    throw new UpstreamError(this.name, {
      reason: 'error body',
      status: res.status,
      symbol,
    });
  }
}
