import type { Quote } from '@freeride/contracts';

import type { ProviderQuote, Trade } from '../market-data.types';

/** Converts a provider quote to the wire {@link Quote}, with its age at `now`. */
export function toQuote(
  q: ProviderQuote,
  now: number,
  maxAgeMs: number,
  cached: boolean,
): Quote {
  const ageMs = Math.max(0, Math.round(now - q.asOf));
  return {
    ageMs,
    asOf: new Date(q.asOf).toISOString(),
    cached,
    price: q.price,
    provider: q.provider,
    receivedAt: new Date(q.receivedAt).toISOString(),
    stale: ageMs > maxAgeMs,
    symbol: q.symbol,
    ...(q.volume === undefined ? {} : { volume: q.volume }),
  };
}

/** Converts a streamed trade to the wire {@link Quote}. */
export function tradeToQuote(t: Trade, now: number, maxAgeMs: number): Quote {
  return toQuote(
    {
      asOf: t.timestamp,
      price: t.price,
      provider: t.provider,
      receivedAt: now,
      symbol: t.symbol,
      volume: t.volume,
    },
    now,
    maxAgeMs,
    false,
  );
}
