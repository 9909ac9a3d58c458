import {
  BAR_INTERVALS,
  type IndicatorInterval,
  type QuoteProvider,
} from '@freeride/contracts';

/** Name of a market-data provider (`alphavantage`, `finnhub`, `polygon`). */
export type ProviderName = QuoteProvider;

/** What a provider can be asked for. */
export type Capability = 'bars' | 'news' | 'quote' | 'trades';

/** Data kinds the router caches, each with its own freshness limit. */
export type CachedKind = 'bars' | 'news' | 'quote';

/**
 * Bar widths every provider in this lib understands: the contract's, which
 * the trading side's indicator conditions also use.
 */
export { BAR_INTERVALS };

/** One of {@link BAR_INTERVALS}. */
export type BarInterval = IndicatorInterval;

/** A price as one provider reported it, normalised to UTC epoch milliseconds. */
export interface ProviderQuote {
  /** Epoch ms of the price according to the provider. */
  asOf: number;
  price: number;
  provider: ProviderName;
  /** Epoch ms at which the response arrived. */
  receivedAt: number;
  symbol: string;
  volume?: number;
}

/** One OHLCV bar; `start` is the bar's opening instant (ISO-8601 UTC). */
export interface Bar {
  close: number;
  high: number;
  low: number;
  open: number;
  start: string;
  volume: number;
}

/** One company news item. */
export interface NewsItem {
  /** ISO-8601 UTC publication instant. */
  datetime: string;
  headline: string;
  id: string;
  /** Tickers the provider relates the item to. */
  related: string[];
  source: string;
  summary: string;
  url: string;
}

/** One trade from a provider's websocket stream. */
export interface Trade {
  price: number;
  provider: ProviderName;
  symbol: string;
  /** Epoch ms of the trade. */
  timestamp: number;
  volume: number;
}

/** Fields every provider call takes. */
export interface ProviderCallOptions {
  /** The API key to authenticate with (chosen by the router's key pool). */
  apiKey: string;
  /** Aborts the call (the router's per-request deadline). */
  signal?: AbortSignal;
  /** Upper bound of this call in ms; named in the timeout error. */
  timeoutMs: number;
}

/** Arguments of {@link MarketDataProvider.getQuote}. */
export interface GetQuoteOptions extends ProviderCallOptions {
  symbol: string;
}

/** Arguments of {@link MarketDataProvider.getBars}. */
export interface GetBarsOptions extends ProviderCallOptions {
  interval: BarInterval;
  symbol: string;
}

/** Arguments of {@link MarketDataProvider.getNews}. */
export interface GetNewsOptions extends ProviderCallOptions {
  /** First day, `YYYY-MM-DD`. */
  from: string;
  symbol: string;
  /** Last day, `YYYY-MM-DD`. */
  to: string;
}

/** Connection state changes of a trade stream. */
export type StreamStatus =
  | { state: 'connected' }
  | { state: 'disconnected'; reason: string }
  | { error: Error; fatal: boolean; state: 'error' }
  | { state: 'subscribed'; symbols: string[] };

/** Arguments of {@link MarketDataProvider.subscribe}. */
export interface SubscribeOptions {
  /** Returns the key to connect with; called on every (re)connect so a replaced key is used. */
  apiKey: () => string;
  onStatus?: (status: StreamStatus) => void;
  onTrade: (trade: Trade) => void;
  symbols: readonly string[];
}

/** A live trade subscription; reconnects and resubscribes on its own. */
export interface TradeSubscription {
  /** Adds symbols (sent now when connected, and on every reconnect). */
  add(symbols: readonly string[]): void;
  /** Closes the socket for good. */
  close(): Promise<void>;
  /** True while the socket is open and authenticated. */
  readonly connected: boolean;
  /** Symbols currently subscribed. */
  readonly symbols: readonly string[];
}

/**
 * One market-data provider. Every method takes one object with named fields,
 * turns the provider's quirks into the typed errors of `market-data.errors.ts`
 * and never returns an empty result to hide a failure.
 */
export interface MarketDataProvider {
  /** Capabilities this client implements. */
  readonly capabilities: readonly Capability[];
  /** Whether this provider can serve `capability` for `symbol`. */
  canHandle(capability: Capability, symbol: string): boolean;
  /** Intraday bars, oldest first. */
  getBars(options: GetBarsOptions): Promise<Bar[]>;
  /** Company news, newest first. */
  getNews(options: GetNewsOptions): Promise<NewsItem[]>;
  /** Latest price of one symbol. */
  getQuote(options: GetQuoteOptions): Promise<ProviderQuote>;
  readonly name: ProviderName;
  /** Fetches {@link testSymbol} directly (no cache): the health probe. */
  probe(options: ProviderCallOptions): Promise<ProviderQuote>;
  /** Opens the provider's websocket trade stream. */
  subscribe(options: SubscribeOptions): TradeSubscription;
  /** A symbol the provider always knows, used by {@link probe}. */
  readonly testSymbol: string;
}
