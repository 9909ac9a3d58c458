import type { ProviderHealthSnapshot } from '@freeride/market-data';

/** Health of one provider as a terminus-style indicator body. */
export interface ProviderIndicator {
  breaker: ProviderHealthSnapshot['breaker'];
  lastSuccessAt: string | null;
  reason?: string;
  score: number;
  status: 'down' | 'up';
}

/**
 * A provider is up when it can be called: its breaker is not open and it has
 * a usable key. When down, `reason` says why (`breaker open: timeout`,
 * `no usable API key`).
 */
export function providerIndicator(
  h: ProviderHealthSnapshot,
): ProviderIndicator {
  const reason =
    h.usableKeys === 0
      ? 'no usable API key'
      : h.breaker === 'open'
        ? `breaker open: ${h.lastError ?? 'failures'}`
        : undefined;
  return {
    breaker: h.breaker,
    lastSuccessAt: h.lastSuccessAt,
    score: h.score,
    status: reason ? 'down' : 'up',
    ...(reason ? { reason } : {}),
  };
}
