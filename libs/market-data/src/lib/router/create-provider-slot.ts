import type { MarketDataProvider } from '../market-data.types';
import {
  type BreakerState,
  ProviderCircuitBreaker,
} from '../policies/circuit-breaker';
import { KeyPool } from '../policies/key-pool';
import type { SharedRateBudget } from '../policies/shared-budget';
import type { PlanLimit } from '../policies/token-bucket';
import type { ProviderSlot } from './provider-slot';

/** Options of {@link createProviderSlot}. */
export interface CreateProviderSlotOptions {
  /** @default 5 */
  breakerFailureThreshold?: number;
  /** @default 30000 */
  breakerHalfOpenAfterMs?: number;
  client: MarketDataProvider;
  keys: readonly string[];
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  onBreakerStateChange?: (state: BreakerState) => void;
  perKeyLimits: readonly PlanLimit[];
  /** @default [] */
  perProviderLimits?: readonly PlanLimit[];
  /** Call budget shared with other gateway instances. @default none */
  shared?: SharedRateBudget;
}

/** Builds a provider's slot: its client, key pool and circuit breaker. */
export function createProviderSlot(
  options: CreateProviderSlotOptions,
): ProviderSlot {
  const provider = options.client.name;
  return {
    breaker: new ProviderCircuitBreaker({
      failureThreshold: options.breakerFailureThreshold,
      halfOpenAfterMs: options.breakerHalfOpenAfterMs,
      onStateChange: options.onBreakerStateChange,
      provider,
    }),
    client: options.client,
    keys: new KeyPool({
      keys: options.keys,
      now: options.now,
      perKeyLimits: options.perKeyLimits,
      perProviderLimits: options.perProviderLimits,
      provider,
      shared: options.shared,
    }),
  };
}
