import type { MarketDataProvider } from '../market-data.types';
import type { ProviderCircuitBreaker } from '../policies/circuit-breaker';
import type { KeyPool } from '../policies/key-pool';

/** A provider client with its keys (and their limiters) and its breaker. */
export interface ProviderSlot {
  breaker: ProviderCircuitBreaker;
  client: MarketDataProvider;
  keys: KeyPool;
}
