import type { CachedKind, ProviderName } from './market-data.types';
import type { PlanLimit } from './policies/token-bucket';

/** One second, minute and day in ms. */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

/**
 * Free-plan limits per API key, as documented.
 * - Alpha Vantage: 25 requests/day and about 1 request/second.
 * - Finnhub: 60 calls/minute, 30 calls/second ceiling.
 * - Polygon/Massive Basic: 5 calls/minute.
 * @see https://www.alphavantage.co/support/#support
 * @see https://finnhub.io/docs/api/rate-limit
 * @see https://polygon.io/pricing
 */
export const FREE_PLAN_LIMITS: Record<ProviderName, readonly PlanLimit[]> = {
  alphavantage: [
    { limit: 1, windowMs: SECOND },
    { limit: 25, windowMs: DAY },
  ],
  finnhub: [
    { limit: 30, windowMs: SECOND },
    { limit: 60, windowMs: MINUTE },
  ],
  polygon: [{ limit: 5, windowMs: MINUTE }],
};

/** Default provider order per kind: the first is the primary. */
export const DEFAULT_ROUTES: Record<CachedKind, readonly ProviderName[]> = {
  bars: ['polygon', 'alphavantage'],
  news: ['finnhub'],
  quote: ['finnhub', 'polygon', 'alphavantage'],
};

/** Default freshness limit per cached kind, in ms. */
export const DEFAULT_FRESHNESS_MS: Record<CachedKind, number> = {
  bars: 60 * SECOND,
  news: 5 * MINUTE,
  quote: 15 * SECOND,
};
