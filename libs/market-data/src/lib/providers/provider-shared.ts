import { type ProviderResponse, retryAfterMs } from '../http/provider-http';
import {
  MalformedResponseError,
  RateLimitedError,
} from '../market-data.errors';
import type {
  ProviderName,
  StreamStatus,
  TradeSubscription,
} from '../market-data.types';
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

/**
 * Parses one websocket text frame. A frame that is not JSON is reported as
 * a non-fatal stream error and skipped (`undefined`): the stream goes on.
 */
export function parseStreamFrame(
  provider: ProviderName,
  text: string,
  onStatus: ((status: StreamStatus) => void) | undefined,
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    onStatus?.({
      error: new MalformedResponseError(provider, {
        cause: err,
        reason: 'stream frame is not JSON',
      }),
      fatal: false,
      state: 'error',
    });
    return undefined;
  }
}
