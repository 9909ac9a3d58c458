import {
  isRecord,
  parseJsonBody,
  providerGet,
  retryAfterMs,
  toNumber,
} from '../http/provider-http';
import {
  AuthFailedError,
  MalformedResponseError,
  NotEntitledError,
  RateLimitedError,
  StaleQuoteError,
  SymbolNotFoundError,
  UpstreamError,
} from '../market-data.errors';
import type {
  Bar,
  Capability,
  GetBarsOptions,
  GetQuoteOptions,
  MarketDataProvider,
  NewsItem,
  ProviderCallOptions,
  ProviderQuote,
  TradeSubscription,
} from '../market-data.types';
import {
  US_EASTERN,
  normaliseZone,
  zonedToEpochMs,
} from '../time/exchange-time';
import {
  DEFAULT_MAX_QUOTE_AGE_MS,
  type ProviderClientOptions,
  joinUrl,
} from './provider-client.options';

/**
 * Classifies an Alpha Vantage `Note` / `Information` / `Error Message` body
 * (all sent with HTTP 200) into a typed error. The burst note also mentions
 * "premium endpoints", so the distinctive phrases are tested first.
 * @see https://www.alphavantage.co/documentation/ (throttle and error bodies: `Note`, `Information`, `Error Message`)
 */
export function classifyAlphaVantageMessage(
  body: Record<string, unknown>,
  symbol: string | undefined,
  now: number,
):
  | AuthFailedError
  | NotEntitledError
  | RateLimitedError
  | SymbolNotFoundError
  | UpstreamError
  | undefined {
  const note = body['Note'];
  const info = body['Information'];
  const error = body['Error Message'];
  const text =
    typeof note === 'string'
      ? note
      : typeof info === 'string'
        ? info
        : undefined;
  if (text !== undefined) {
    if (/spreading out|per second|per-second burst/i.test(text)) {
      return new RateLimitedError('alphavantage', {
        retryAfterMs: 1000,
        symbol,
        window: 'burst',
      });
    }
    if (/per day|daily rate limit/i.test(text) && !/per minute/i.test(text)) {
      return new RateLimitedError('alphavantage', {
        retryAfterMs: msUntilNextEasternMidnight(now),
        symbol,
        window: 'day',
      });
    }
    if (/call frequency|per minute/i.test(text)) {
      return new RateLimitedError('alphavantage', {
        retryAfterMs: 60_000,
        symbol,
        window: 'minute',
      });
    }
    if (/premium endpoint/i.test(text))
      return new NotEntitledError('alphavantage', { symbol });
    if (/demo/i.test(text) || /api ?key/i.test(text))
      return new AuthFailedError('alphavantage', { symbol });
    return new UpstreamError('alphavantage', {
      reason: 'information body',
      symbol,
    });
  }
  if (typeof error === 'string') {
    if (/apikey|api key/i.test(error))
      return new AuthFailedError('alphavantage', { symbol });
    return new SymbolNotFoundError('alphavantage', {
      details: { reason: 'invalid API call' },
      symbol,
    });
  }
  return undefined;
}

/** Ms from `now` to the next 00:00 US/Eastern, when Alpha Vantage's daily quota resets (inference). */
export function msUntilNextEasternMidnight(now: number): number {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: US_EASTERN })
    .format(new Date(now))
    .split('-')
    .map(Number);
  const tomorrow = new Date(Date.UTC(y, m - 1, d + 1))
    .toISOString()
    .slice(0, 10);
  return Math.max(1000, zonedToEpochMs(tomorrow) - now);
}

/**
 * Alpha Vantage REST: `GLOBAL_QUOTE` and `TIME_SERIES_INTRADAY`. Every number
 * is a string; timestamps are exchange-local without offset; throttling and
 * key errors come back as HTTP 200 bodies.
 *
 * `GLOBAL_QUOTE` gives only the latest trading day, not a time: `asOf` is
 * that day's 16:00 US/Eastern close, or the receipt time if that is earlier,
 * so an end-of-day price is never passed off as live.
 * @see https://www.alphavantage.co/documentation/
 */
export class AlphaVantageProvider implements MarketDataProvider {
  readonly capabilities: readonly Capability[] = ['bars', 'quote'];
  readonly name = 'alphavantage' as const;
  readonly testSymbol = 'IBM';
  private readonly maxQuoteAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProviderClientOptions) {
    this.maxQuoteAgeMs = options.maxQuoteAgeMs ?? DEFAULT_MAX_QUOTE_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  canHandle(capability: Capability, symbol: string): boolean {
    return (
      this.capabilities.includes(capability) &&
      /^[A-Z0-9.-]{1,20}$/i.test(symbol)
    );
  }

  async getQuote(options: GetQuoteOptions): Promise<ProviderQuote> {
    const { symbol } = options;
    const body = await this.query(
      'alphavantage GLOBAL_QUOTE',
      { function: 'GLOBAL_QUOTE', symbol },
      options,
      symbol,
    );
    const quote = body['Global Quote'];
    if (!isRecord(quote))
      throw new MalformedResponseError(this.name, {
        reason: 'Global Quote missing',
        symbol,
      });
    if (Object.keys(quote).length === 0)
      throw new SymbolNotFoundError(this.name, { symbol });
    const price = toNumber(this.name, quote['05. price'], '05. price', symbol);
    const volume = toNumber(
      this.name,
      quote['06. volume'],
      '06. volume',
      symbol,
    );
    const day = quote['07. latest trading day'];
    const close =
      typeof day === 'string' ? zonedToEpochMs(`${day} 16:00:00`) : NaN;
    if (Number.isNaN(close))
      throw new MalformedResponseError(this.name, {
        reason: 'latest trading day',
        symbol,
      });
    if (price <= 0)
      throw new MalformedResponseError(this.name, {
        reason: 'non-positive price',
        symbol,
      });
    const receivedAt = this.now();
    const result: ProviderQuote = {
      asOf: Math.min(close, receivedAt),
      price,
      provider: this.name,
      receivedAt,
      symbol,
      volume,
    };
    if (receivedAt - result.asOf > this.maxQuoteAgeMs)
      throw new StaleQuoteError(result, this.maxQuoteAgeMs);
    return result;
  }

  async getBars(options: GetBarsOptions): Promise<Bar[]> {
    const { interval, symbol } = options;
    const body = await this.query(
      'alphavantage TIME_SERIES_INTRADAY',
      { function: 'TIME_SERIES_INTRADAY', interval, symbol },
      options,
      symbol,
    );
    const meta = body['Meta Data'];
    const series = body[`Time Series (${interval})`];
    if (!isRecord(series))
      throw new MalformedResponseError(this.name, {
        reason: 'time series missing',
        symbol,
      });
    const zone = normaliseZone(
      isRecord(meta) && typeof meta['6. Time Zone'] === 'string'
        ? meta['6. Time Zone']
        : undefined,
    );
    const bars: Bar[] = Object.entries(series).map(([local, v]) => {
      if (!isRecord(v))
        throw new MalformedResponseError(this.name, {
          reason: 'bar is not an object',
          symbol,
        });
      const start = zonedToEpochMs(local, zone);
      if (Number.isNaN(start))
        throw new MalformedResponseError(this.name, {
          reason: 'bar timestamp',
          symbol,
        });
      return {
        close: toNumber(this.name, v['4. close'], '4. close', symbol),
        high: toNumber(this.name, v['2. high'], '2. high', symbol),
        low: toNumber(this.name, v['3. low'], '3. low', symbol),
        open: toNumber(this.name, v['1. open'], '1. open', symbol),
        start: new Date(start).toISOString(),
        volume: toNumber(this.name, v['5. volume'], '5. volume', symbol),
      };
    });
    return bars.sort((a, b) => a.start.localeCompare(b.start));
  }

  getNews(): Promise<NewsItem[]> {
    return Promise.reject(
      new NotEntitledError(this.name, { details: { capability: 'news' } }),
    );
  }

  probe(options: ProviderCallOptions): Promise<ProviderQuote> {
    return this.getQuote({ ...options, symbol: this.testSymbol });
  }

  subscribe(): TradeSubscription {
    throw new NotEntitledError(this.name, {
      details: { capability: 'trades' },
    });
  }

  private async query(
    operation: string,
    params: Record<string, string>,
    options: ProviderCallOptions,
    symbol: string,
  ): Promise<Record<string, unknown>> {
    const search = new URLSearchParams({ ...params, apikey: options.apiKey });
    const res = await providerGet({
      operation,
      provider: this.name,
      signal: options.signal,
      symbol,
      timeoutMs: options.timeoutMs,
      url: `${joinUrl(this.options.baseUrl, 'query')}?${search.toString()}`,
    });
    if (res.status === 429) {
      throw new RateLimitedError(this.name, {
        retryAfterMs: retryAfterMs(res.headers, this.now()) ?? 60_000,
        status: 429,
        symbol,
        window: 'unknown',
      });
    }
    if (res.status === 401 || res.status === 403)
      throw new AuthFailedError(this.name, { status: res.status, symbol });
    if (res.status !== 200)
      throw new UpstreamError(this.name, {
        reason: 'unexpected status',
        status: res.status,
        symbol,
      });
    const body = parseJsonBody(this.name, res, symbol);
    if (!isRecord(body))
      throw new MalformedResponseError(this.name, {
        reason: 'body is not an object',
        symbol,
      });
    const classified = classifyAlphaVantageMessage(body, symbol, this.now());
    if (classified) throw classified;
    return body;
  }
}
