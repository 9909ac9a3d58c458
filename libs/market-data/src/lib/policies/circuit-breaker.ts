import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  type IDisposable,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
} from 'cockatiel';

import { CircuitOpenError, isBreakerFailure } from '../market-data.errors';
import type { ProviderName } from '../market-data.types';

/** Breaker state as a label: `closed`, `open` or `half_open`. */
export type BreakerState = 'closed' | 'half_open' | 'open';

/** Options of {@link ProviderCircuitBreaker}. */
export interface ProviderCircuitBreakerOptions {
  /**
   * Consecutive breaker failures (timeouts, 5xx, garbage) that open it.
   * @default 5
   */
  failureThreshold?: number;
  /**
   * How long it stays open before letting one half-open probe through.
   * @default 30000
   */
  halfOpenAfterMs?: number;
  /** Called on every state change. */
  onStateChange?: (state: BreakerState) => void;
  provider: ProviderName;
}

function toLabel(state: CircuitState): BreakerState {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half_open';
  return 'open';
}

/**
 * A circuit breaker per provider, on cockatiel's `ConsecutiveBreaker`: opens
 * after `failureThreshold` consecutive failures that say something about the
 * provider's health (see `ProviderError.tripsBreaker`), lets one call through
 * after `halfOpenAfterMs` (half-open), closes when it succeeds and reopens
 * when it fails.
 */
export class ProviderCircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly subscription?: IDisposable;

  constructor(private readonly options: ProviderCircuitBreakerOptions) {
    this.policy = circuitBreaker(handleWhen(isBreakerFailure), {
      breaker: new ConsecutiveBreaker(options.failureThreshold ?? 5),
      halfOpenAfter: options.halfOpenAfterMs ?? 30_000,
    });
    const onChange = options.onStateChange;
    if (onChange)
      this.subscription = this.policy.onStateChange((s) =>
        onChange(toLabel(s)),
      );
  }

  /** Current state; an open breaker whose wait elapsed reports `half_open`. */
  get state(): BreakerState {
    return toLabel(this.policy.state);
  }

  /**
   * Runs `fn` through the breaker.
   * @throws CircuitOpenError when open (or half-open with its probe in flight)
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    // cockatiel queues callers behind the half-open probe; fail fast instead
    // so the router can fail over within its deadline.
    if (this.policy.state === CircuitState.HalfOpen) {
      throw new CircuitOpenError(this.options.provider, {
        details: { state: 'half_open' },
      });
    }
    try {
      return await this.policy.execute(fn);
    } catch (err) {
      if (isBrokenCircuitError(err))
        throw new CircuitOpenError(this.options.provider, { cause: err });
      throw err;
    }
  }

  /** Stops reporting state changes. */
  dispose(): void {
    this.subscription?.dispose();
  }
}
