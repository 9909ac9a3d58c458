import { FreerideError } from '@freeride/contracts';

import type { ProviderName, ProviderQuote } from './market-data.types';

/** Why a provider call failed, as a low-cardinality label. */
export type ProviderFailureKind =
  | 'auth_failed'
  | 'circuit_open'
  | 'malformed'
  | 'not_entitled'
  | 'not_found'
  | 'rate_limited'
  | 'stale'
  | 'timeout'
  | 'upstream';

/** Fields shared by every provider error. */
export interface ProviderErrorOptions {
  cause?: unknown;
  /** Extra structured fields (never secrets). */
  details?: Record<string, unknown>;
  /** HTTP status the provider answered with, when there was one. */
  status?: number;
  symbol?: string;
}

/** Base class of errors raised by one provider call. */
export abstract class ProviderError extends FreerideError {
  /** Low-cardinality failure label for metrics and span attributes. */
  abstract readonly kind: ProviderFailureKind;
  /**
   * Whether the failure says something about the provider's health, and so
   * counts towards opening its circuit breaker. Limits, bad keys and unknown
   * symbols do not.
   */
  abstract readonly tripsBreaker: boolean;

  constructor(
    readonly provider: ProviderName,
    message: string,
    code: string,
    httpStatus: number,
    options: ProviderErrorOptions = {},
  ) {
    super(message, {
      cause: options.cause,
      code,
      details: {
        provider,
        status: options.status,
        symbol: options.symbol,
        ...options.details,
      },
      httpStatus,
    });
  }

  /** The symbol the call was about, when there was one. */
  get symbol(): string | undefined {
    return this.details['symbol'] as string | undefined;
  }
}

/** Window a rate limit applies to. */
export type RateLimitWindow = 'burst' | 'day' | 'minute' | 'unknown';

/**
 * The provider (or our own limiter) refuses more calls for now: Finnhub and
 * Polygon HTTP 429, Alpha Vantage's `Note`/`Information` bodies sent with 200.
 */
export class RateLimitedError extends ProviderError {
  readonly kind = 'rate_limited';
  readonly tripsBreaker = false;
  /** When to try again, from `Retry-After` or the plan's window. */
  readonly retryAfterMs: number;
  readonly window: RateLimitWindow;

  constructor(
    provider: ProviderName,
    options: ProviderErrorOptions & {
      retryAfterMs: number;
      window: RateLimitWindow;
    },
  ) {
    super(provider, 'provider rate limit reached', 'RATE_LIMITED', 429, {
      ...options,
      details: {
        retryAfterMs: options.retryAfterMs,
        window: options.window,
        ...options.details,
      },
    });
    this.retryAfterMs = options.retryAfterMs;
    this.window = options.window;
  }
}

/** The API key was refused (401/403, Alpha Vantage `apikey is invalid`): rotate it out. */
export class AuthFailedError extends ProviderError {
  readonly kind = 'auth_failed';
  readonly tripsBreaker = false;

  constructor(provider: ProviderName, options: ProviderErrorOptions = {}) {
    super(
      provider,
      'provider refused the API key',
      'PROVIDER_AUTH_FAILED',
      502,
      options,
    );
  }
}

/** The key's plan does not include the endpoint (Polygon 403 `NOT_AUTHORIZED`, AV premium note). */
export class NotEntitledError extends ProviderError {
  readonly kind = 'not_entitled';
  readonly tripsBreaker = false;

  constructor(provider: ProviderName, options: ProviderErrorOptions = {}) {
    super(
      provider,
      'provider plan does not include this data',
      'PROVIDER_NOT_ENTITLED',
      502,
      options,
    );
  }
}

/** The provider does not know the symbol (AV empty `Global Quote`, Finnhub all-zero quote). */
export class SymbolNotFoundError extends ProviderError {
  readonly kind = 'not_found';
  readonly tripsBreaker = false;

  constructor(provider: ProviderName, options: ProviderErrorOptions = {}) {
    super(
      provider,
      'provider does not know the symbol',
      'SYMBOL_NOT_FOUND',
      404,
      options,
    );
  }
}

/** The body is not what the provider documents (not JSON, missing fields, non-numeric prices). */
export class MalformedResponseError extends ProviderError {
  readonly kind = 'malformed';
  readonly tripsBreaker = true;

  constructor(
    provider: ProviderName,
    options: ProviderErrorOptions & { reason: string },
  ) {
    super(
      provider,
      'provider response is malformed',
      'PROVIDER_MALFORMED_RESPONSE',
      502,
      {
        ...options,
        details: { reason: options.reason, ...options.details },
      },
    );
  }
}

/** The provider answered with a price older than the freshness limit. */
export class StaleQuoteError extends ProviderError {
  readonly kind = 'stale';
  readonly tripsBreaker = false;

  constructor(
    readonly quote: ProviderQuote,
    readonly maxAgeMs: number,
  ) {
    super(
      quote.provider,
      'provider price is older than the freshness limit',
      'STALE_QUOTE',
      502,
      {
        details: { ageMs: quote.receivedAt - quote.asOf, maxAgeMs },
        symbol: quote.symbol,
      },
    );
  }
}

/** The call did not finish within its time limit. */
export class ProviderTimeoutError extends ProviderError {
  readonly kind = 'timeout';
  readonly tripsBreaker = true;

  constructor(
    provider: ProviderName,
    options: ProviderErrorOptions & {
      operation: string;
      target: string;
      timeoutMs: number;
    },
  ) {
    super(
      provider,
      `${options.operation} ${options.target} timed out after ${options.timeoutMs} ms`,
      'PROVIDER_TIMEOUT',
      504,
      {
        ...options,
        details: {
          operation: options.operation,
          target: options.target,
          timeoutMs: options.timeoutMs,
        },
      },
    );
  }
}

/** HTTP 5xx, an unexpected status, a refused connection or a reset socket. */
export class UpstreamError extends ProviderError {
  readonly kind = 'upstream';
  readonly tripsBreaker = true;

  constructor(
    provider: ProviderName,
    options: ProviderErrorOptions & { reason: string },
  ) {
    super(provider, 'provider call failed', 'PROVIDER_UPSTREAM_ERROR', 502, {
      ...options,
      details: { reason: options.reason, ...options.details },
    });
  }
}

/** The provider's circuit breaker is open: the call was not made. */
export class CircuitOpenError extends ProviderError {
  readonly kind = 'circuit_open';
  readonly tripsBreaker = false;

  constructor(provider: ProviderName, options: ProviderErrorOptions = {}) {
    super(
      provider,
      'provider circuit breaker is open',
      'PROVIDER_CIRCUIT_OPEN',
      503,
      options,
    );
  }
}

/** One failed attempt, as listed by {@link ProviderUnavailableError}. */
export interface AttemptFailure {
  kind: ProviderFailureKind | 'deadline';
  provider: ProviderName;
  retryAfterMs?: number;
}

/**
 * No provider could serve the request within its deadline. Answers 503, or
 * 404 when every provider said the symbol does not exist, or 429 when every
 * provider was rate limited (with the earliest `retryAfterMs`).
 */
export class ProviderUnavailableError extends FreerideError {
  readonly attempts: AttemptFailure[];
  readonly retryAfterMs?: number;

  constructor(options: {
    attempts: AttemptFailure[];
    capability: string;
    cause?: unknown;
    symbol: string;
  }) {
    const { attempts } = options;
    const allNotFound =
      attempts.length > 0 && attempts.every((a) => a.kind === 'not_found');
    const limited = attempts.filter((a) => a.kind === 'rate_limited');
    const allLimited =
      attempts.length > 0 && limited.length === attempts.length;
    const retryAfterMs = allLimited
      ? Math.min(...limited.map((a) => a.retryAfterMs ?? 1000))
      : undefined;
    super(
      allNotFound
        ? 'no provider knows the symbol'
        : 'no provider could serve the request',
      {
        cause: options.cause,
        code: allNotFound
          ? 'SYMBOL_NOT_FOUND'
          : allLimited
            ? 'RATE_LIMITED'
            : 'PROVIDER_UNAVAILABLE',
        details: {
          attempts,
          capability: options.capability,
          retryAfterMs,
          symbol: options.symbol,
        },
        httpStatus: allNotFound ? 404 : allLimited ? 429 : 503,
      },
    );
    this.attempts = attempts;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Whether `err` is a provider error that should count against the breaker. */
export function isBreakerFailure(err: unknown): boolean {
  return err instanceof ProviderError ? err.tripsBreaker : true;
}
