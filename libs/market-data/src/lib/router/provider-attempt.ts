import { type LogSink } from '@freeride/contracts';
import { ATTR, TRACER_NAME, recordError } from '@freeride/tracing';

import { trace } from '@opentelemetry/api';

import {
  AuthFailedError,
  CircuitOpenError,
  ProviderError,
  RateLimitedError,
  StaleQuoteError,
  UpstreamError,
} from '../market-data.errors';
import type {
  Capability,
  MarketDataProvider,
  ProviderCallOptions,
  ProviderQuote,
} from '../market-data.types';
import type { KeyLease } from '../policies/key-pool';
import type { ProviderHealthTracker } from '../policies/provider-health';
import type { ProviderSlot } from './provider-slot';
import type { RouterHooks } from './router-hooks';

/** One upstream call of a provider client with a leased key. */
export type ProviderCall<T> = (
  client: MarketDataProvider,
  options: ProviderCallOptions,
) => Promise<T>;

/** What provider attempts need from the router (its options, defaults filled in). */
export interface AttemptPolicy {
  /** Upper bound of one provider call; each call also stops at the deadline. */
  attemptTimeoutMs: number;
  health: ProviderHealthTracker;
  hooks?: RouterHooks;
  logger: LogSink;
  /** Longest wait for a local limiter token before giving up on the provider. */
  maxLimiterWaitMs: number;
  now: () => number;
}

/** One provider to try for one request. */
export interface ProviderAttempt<T> {
  call: ProviderCall<T>;
  capability: Capability;
  /** Epoch ms by which the request must be answered. */
  deadlineAt: number;
  signal?: AbortSignal;
  slot: ProviderSlot;
  symbol: string;
}

const tracer = trace.getTracer(TRACER_NAME);

/**
 * Takes a key token, waiting for one when the local limiter says it comes
 * within `maxLimiterWaitMs` and before the deadline: a burst queues briefly
 * on the primary instead of spilling onto the fallbacks.
 */
async function acquireKey(
  policy: AttemptPolicy,
  slot: ProviderSlot,
  symbol: string,
  deadlineAt: number,
): Promise<KeyLease> {
  for (;;) {
    try {
      return await slot.keys.reserve(symbol);
    } catch (err) {
      const budget = Math.min(
        policy.maxLimiterWaitMs,
        deadlineAt - policy.now() - 50,
      );
      if (!(err instanceof RateLimitedError) || err.retryAfterMs > budget)
        throw err;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(1, err.retryAfterMs)),
      );
    }
  }
}

/**
 * One provider, rotating through its keys: a limited key is paused for the
 * provider's `Retry-After` and a refused key revoked, then the next key is
 * tried, until the provider answers or has no key left. Each upstream call is
 * a `market-data provider.attempt` span and an `onAttempt` hook call; health
 * is recorded for every call the breaker let through.
 */
export async function attemptProvider<T>(
  policy: AttemptPolicy,
  { call, capability, deadlineAt, signal, slot, symbol }: ProviderAttempt<T>,
): Promise<T> {
  const name = slot.client.name;
  let lastError: unknown;
  for (let i = 0; i <= slot.keys.size; i++) {
    const timeoutMs = Math.min(
      policy.attemptTimeoutMs,
      deadlineAt - policy.now(),
    );
    if (timeoutMs <= 0) break;
    const started = policy.now();
    let lease;
    try {
      lease = await acquireKey(policy, slot, symbol, deadlineAt);
    } catch (err) {
      policy.hooks?.onAttempt?.({
        capability,
        durationMs: 0,
        outcome: err instanceof ProviderError ? err.kind : 'upstream',
        provider: name,
        upstreamCall: false,
      });
      throw err;
    }
    const current = lease;
    const result = await tracer.startActiveSpan(
      'market-data provider.attempt',
      async (span) => {
        span.setAttributes({
          [ATTR.MARKET_ATTEMPT]: i + 1,
          [ATTR.MARKET_CAPABILITY]: capability,
          [ATTR.MARKET_KEY_ID]: current.id,
          [ATTR.MARKET_PROVIDER]: name,
        });
        try {
          const value = await slot.breaker.execute(() =>
            call(slot.client, { apiKey: current.key, signal, timeoutMs }),
          );
          span.setAttribute(ATTR.MARKET_OUTCOME, 'success');
          return { ok: true as const, value };
        } catch (err) {
          // The failure is returned, not thrown: the key rotation below decides.
          span.setAttribute(
            ATTR.MARKET_OUTCOME,
            err instanceof ProviderError ? err.kind : 'upstream',
          );
          recordError(span, err);
          return { err, ok: false as const };
        } finally {
          span.end();
        }
      },
    );
    if (!(result.ok === false && result.err instanceof CircuitOpenError))
      current.complete();
    const durationMs = policy.now() - started;
    if (result.ok) {
      policy.health.record(name, { latencyMs: durationMs, ok: true });
      if (capability === 'quote')
        policy.health.recordData(name, (result.value as ProviderQuote).asOf);
      policy.hooks?.onAttempt?.({
        capability,
        durationMs,
        outcome: 'success',
        provider: name,
        upstreamCall: true,
      });
      return result.value;
    }
    const err =
      result.err instanceof ProviderError
        ? result.err
        : new UpstreamError(name, {
            cause: result.err,
            reason: 'unexpected error',
            symbol,
          });
    lastError = err;
    const upstreamCall = !(err instanceof CircuitOpenError);
    if (!upstreamCall) current.cancel();
    else
      policy.health.record(name, {
        kind: err.kind,
        latencyMs: durationMs,
        ok: false,
      });
    if (err instanceof StaleQuoteError)
      policy.health.recordData(name, err.quote.asOf);
    policy.hooks?.onAttempt?.({
      capability,
      durationMs,
      outcome: err.kind,
      provider: name,
      upstreamCall,
    });
    if (err instanceof RateLimitedError) {
      current.throttle(err.retryAfterMs);
      policy.logger.warn(
        {
          keyId: current.id,
          provider: name,
          retryAfterMs: err.retryAfterMs,
          window: err.window,
        },
        'provider key rate limited',
      );
      continue;
    }
    if (err instanceof AuthFailedError) {
      current.revoke();
      policy.logger.warn(
        { keyId: current.id, provider: name },
        'provider key revoked',
      );
      continue;
    }
    throw err;
  }
  if (lastError instanceof Error) throw lastError;
  throw new UpstreamError(name, {
    reason: 'request deadline exhausted',
    symbol,
  });
}
