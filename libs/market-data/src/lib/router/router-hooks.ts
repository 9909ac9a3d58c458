import type { ProviderFailureKind } from '../market-data.errors';
import type {
  CachedKind,
  Capability,
  ProviderName,
} from '../market-data.types';

/** Outcome label of one provider attempt. */
export type AttemptOutcome = ProviderFailureKind | 'success';

/** Callbacks the app turns into metrics (the lib registers none itself). */
export interface RouterHooks {
  /** After every provider attempt (each one is one upstream call, except `circuit_open` and local `rate_limited`). */
  onAttempt?(event: {
    capability: Capability;
    durationMs: number;
    outcome: AttemptOutcome;
    provider: ProviderName;
    upstreamCall: boolean;
  }): void;
  /** After every cache lookup. */
  onCache?(event: { kind: CachedKind; outcome: 'hit' | 'miss' }): void;
  /** When the router leaves a provider for the next one. */
  onFailover?(event: {
    capability: Capability;
    from: ProviderName;
    reason: ProviderFailureKind | 'deadline';
  }): void;
  /** When a request joins an upstream call already in flight. */
  onSingleFlight?(event: { joined: boolean; kind: CachedKind }): void;
  /** When stale data is served because nothing fresher was available. */
  onStaleServed?(event: { kind: CachedKind; provider: ProviderName }): void;
}
