import { ATTR } from '@freeride/tracing';

import type { Span } from '@opentelemetry/api';

import {
  type AttemptFailure,
  ProviderError,
  type ProviderFailureKind,
  ProviderUnavailableError,
  RateLimitedError,
  StaleQuoteError,
} from '../market-data.errors';
import type {
  CachedKind,
  ProviderName,
  ProviderQuote,
} from '../market-data.types';
import {
  type AttemptPolicy,
  type ProviderCall,
  attemptProvider,
} from './provider-attempt';
import type { ProviderSlot } from './provider-slot';

/** Data as one provider answered it, before mapping to the wire shape. */
export interface Fetched<T> {
  provider: ProviderName;
  receivedAt: number;
  /** A stale quote served because no provider had a fresh one. */
  stale: boolean;
  value: T;
}

/** One request to serve from the first provider of a route that can. */
export interface FailoverRequest<T> {
  call: ProviderCall<T>;
  /** Epoch ms by which the request must be answered, across every provider. */
  deadlineAt: number;
  kind: CachedKind;
  /** Providers in order of preference: the first is the primary. */
  route: readonly ProviderSlot[];
  signal?: AbortSignal;
  /** The request's span, which gets one `failover` event per provider left. */
  span: Span;
  symbol: string;
}

/**
 * Tries each provider of the route in turn until one answers, within one
 * deadline. Leaving a provider is always visible: a warn log, the
 * `onFailover` hook (a counter) and a span event. When every provider failed
 * but one had a stale quote, the newest stale quote is served (flagged, and
 * counted through `onStaleServed`); otherwise a `ProviderUnavailableError`
 * lists every attempt.
 */
export async function fetchWithFailover<T>(
  policy: AttemptPolicy,
  { call, deadlineAt, kind, route, signal, span, symbol }: FailoverRequest<T>,
): Promise<Fetched<T>> {
  const attempts: AttemptFailure[] = [];
  let staleFallback: Fetched<T> | undefined;
  let lastError: unknown;
  for (const slot of route) {
    const name = slot.client.name;
    if (policy.now() >= deadlineAt) {
      attempts.push({ kind: 'deadline', provider: name });
      break;
    }
    try {
      const value = await attemptProvider(policy, {
        call,
        capability: kind,
        deadlineAt,
        signal,
        slot,
        symbol,
      });
      return { provider: name, receivedAt: policy.now(), stale: false, value };
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
      policy.logger.warn(
        { capability: kind, err, provider: name, reason, symbol },
        'provider failover',
      );
      policy.hooks?.onFailover?.({ capability: kind, from: name, reason });
      span.addEvent('failover', {
        [ATTR.MARKET_FAILOVER_FROM]: name,
        [ATTR.MARKET_FAILOVER_REASON]: reason,
      });
    }
  }
  if (staleFallback) {
    policy.logger.warn(
      { capability: kind, provider: staleFallback.provider, symbol },
      'serving stale data',
    );
    policy.hooks?.onStaleServed?.({ kind, provider: staleFallback.provider });
    return staleFallback;
  }
  throw new ProviderUnavailableError({
    attempts,
    capability: kind,
    cause: lastError,
    symbol,
  });
}
