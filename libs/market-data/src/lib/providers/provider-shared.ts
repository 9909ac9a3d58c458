import { type ProviderResponse, retryAfterMs } from '../http/provider-http';
import { RateLimitedError } from '../market-data.errors';
import type { ProviderName, TradeSubscription } from '../market-data.types';
import type { ReconnectingSocket } from '../streaming/reconnecting-socket';

/**
 * The {@link RateLimitedError} for a limited answer: the provider's
 * `Retry-After` when it sent one, else the plan's documented window.
 */
export function rateLimitedFrom(
  provider: ProviderName,
  res: ProviderResponse,
  details: { fallbackRetryAfterMs: number; now: number; symbol: string },
): RateLimitedError {
  return new RateLimitedError(provider, {
    retryAfterMs:
      retryAfterMs(res.headers, details.now) ?? details.fallbackRetryAfterMs,
    status: res.status,
    symbol: details.symbol,
    window: 'minute',
  });
}

/**
 * The {@link TradeSubscription} of a websocket stream: `add` subscribes
 * new symbols at once when the stream is ready (and every reconnect
 * resubscribes the whole set).
 */
export function tradeSubscription(options: {
  isReady: () => boolean;
  socket: ReconnectingSocket;
  subscribe: (symbols: Iterable<string>) => void;
  symbols: Set<string>;
}): TradeSubscription {
  const { isReady, socket, subscribe, symbols } = options;
  return {
    add: (list) => {
      const fresh = list.filter((s) => !symbols.has(s));
      fresh.forEach((s) => symbols.add(s));
      if (isReady()) subscribe(fresh);
    },
    close: () => socket.close(),
    get connected() {
      return isReady();
    },
    get symbols() {
      return [...symbols];
    },
  };
}
