import {
  type FakeProviderOptions,
  FakeProviderServer,
  type FakeRequest,
  type FakeResponse,
  currentPrice,
  json,
} from './fake-server';

/** Which Alpha Vantage throttle body `rate-limit-note` sends. */
export type AlphaVantageNote = 'burst' | 'daily' | 'minute' | 'premium';

/** Alpha Vantage's exact throttle and error bodies (HTTP 200). */
export const ALPHA_VANTAGE_BODIES = {
  burst: {
    Information:
      'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly (1 request per second). You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day), raise the per-second burst limit, and instantly unlock all premium endpoints',
  },
  daily: {
    Information:
      'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.',
  },
  invalidCall: {
    'Error Message':
      'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_INTRADAY.',
  },
  invalidKey: {
    'Error Message':
      'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.',
  },
  minute: {
    Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.',
  },
  premium: {
    Information:
      'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints',
  },
} as const;

/** US/Eastern wall clock `YYYY-MM-DD HH:MM:SS` of epoch ms. */
function eastern(ms: number): string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
    minute: '2-digit',
    month: '2-digit',
    second: '2-digit',
    timeZone: 'America/New_York',
    year: 'numeric',
  });
  return f.format(new Date(ms));
}

/** Options of the Alpha Vantage fake. */
export interface AlphaVantageFakeOptions extends FakeProviderOptions {
  /**
   * Fixed intraday closes per symbol (oldest first, `start` in epoch ms),
   * served for every interval instead of the synthetic 12 bars: fixture bars
   * for backtests.
   */
  intradayBars?: Record<string, Array<{ close: number; start: number }>>;
  /** Body of `rate-limit-note` and of over-plan calls. @default 'burst' */
  note?: AlphaVantageNote;
}

/**
 * Fake Alpha Vantage: `GET /query?function=GLOBAL_QUOTE|TIME_SERIES_INTRADAY`,
 * string numbers, exchange-local timestamps, and throttling as HTTP 200
 * `Information`/`Note` bodies. Alpha Vantage has no websocket.
 * @see https://www.alphavantage.co/documentation/
 */
export function createAlphaVantageFake(
  options: AlphaVantageFakeOptions = {},
): FakeProviderServer {
  const unknown = new Set(options.unknownSymbols ?? ['ZZZZ']);
  const fake: FakeProviderServer = new FakeProviderServer(
    'alphavantage',
    options,
    {
      keyOf: (_req, query) => query.get('apikey') ?? undefined,
      onAuthFailed: () => json(200, ALPHA_VANTAGE_BODIES.invalidKey),
      onRateLimited: (_req, note): FakeResponse =>
        note || fake.scenario !== 'rate-limit-429'
          ? json(200, ALPHA_VANTAGE_BODIES[options.note ?? 'burst'])
          : json(
              429,
              { Information: 'Too Many Requests' },
              options.retryAfterSeconds === undefined
                ? {}
                : { 'retry-after': String(options.retryAfterSeconds) },
            ),
      onRequest: (req: FakeRequest, now: number): FakeResponse => {
        const fn = req.query.get('function');
        const symbol = req.query.get('symbol') ?? '';
        if (fn === 'GLOBAL_QUOTE') {
          if (unknown.has(symbol)) return json(200, { 'Global Quote': {} });
          const price = currentPrice(symbol, now);
          const prev = Math.round(price * 0.99 * 10_000) / 10_000;
          const change = price - prev;
          return json(200, {
            'Global Quote': {
              '01. symbol': symbol,
              '02. open': prev.toFixed(4),
              '03. high': (price * 1.01).toFixed(4),
              '04. low': (price * 0.98).toFixed(4),
              '05. price': price.toFixed(4),
              '06. volume': '1920774',
              '07. latest trading day': eastern(now).slice(0, 10),
              '08. previous close': prev.toFixed(4),
              '09. change': change.toFixed(4),
              '10. change percent': `${((change / prev) * 100).toFixed(4)}%`,
            },
          });
        }
        if (fn === 'TIME_SERIES_INTRADAY') {
          const interval = req.query.get('interval') ?? '5min';
          if (unknown.has(symbol))
            return json(200, ALPHA_VANTAGE_BODIES.invalidCall);
          const step = Number(interval.replace('min', '')) * 60_000;
          const last = Math.floor(now / step) * step;
          const series: Record<string, Record<string, string>> = {};
          const fixture = options.intradayBars?.[symbol];
          for (const bar of [...(fixture ?? [])].reverse()) {
            series[eastern(bar.start)] = {
              '1. open': bar.close.toFixed(4),
              '2. high': bar.close.toFixed(4),
              '3. low': bar.close.toFixed(4),
              '4. close': bar.close.toFixed(4),
              '5. volume': '100',
            };
          }
          for (let i = 0; i < (fixture ? 0 : 12); i++) {
            const o = currentPrice(symbol, last - i * step);
            series[eastern(last - i * step)] = {
              '1. open': o.toFixed(4),
              '2. high': (o * 1.002).toFixed(4),
              '3. low': (o * 0.998).toFixed(4),
              '4. close': (o * 1.001).toFixed(4),
              '5. volume': String(50 + i),
            };
          }
          return json(200, {
            'Meta Data': {
              '1. Information': `Intraday (${interval}) open, high, low, close prices and volume`,
              '2. Symbol': symbol,
              '3. Last Refreshed': eastern(last),
              '4. Interval': interval,
              '5. Output Size': 'Compact',
              '6. Time Zone': 'US/Eastern',
            },
            [`Time Series (${interval})`]: series,
          });
        }
        return json(200, ALPHA_VANTAGE_BODIES.invalidCall);
      },
      onSocket: (ws) => {
        ws.close(1008, 'Alpha Vantage has no websocket');
        return { tick: () => false };
      },
      wsPath: '/ws-unsupported',
    },
  );
  return fake;
}
