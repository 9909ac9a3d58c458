/** Options every provider client takes. */
export interface ProviderClientOptions {
  /** REST base URL, e.g. `https://finnhub.io/api/v1` or a local fake. */
  baseUrl: string;
  /**
   * Prices older than this are refused with `StaleQuoteError`.
   * @default 1_200_000 (20 minutes: covers a 15-minute delayed feed)
   */
  maxQuoteAgeMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * Reconnect backoff of the trade stream.
   * @default 250
   */
  streamInitialBackoffMs?: number;
  /** Websocket URL of the trade stream (Polygon: including the market path, e.g. `/stocks`). */
  wsUrl?: string;
}

/** Default of {@link ProviderClientOptions.maxQuoteAgeMs}. */
export const DEFAULT_MAX_QUOTE_AGE_MS = 20 * 60_000;

/** Joins a base URL and a path without doubling slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
