/** Span attribute keys of the market-data lib (`freeride.*`). */
export const ATTR = {
  attempt: 'freeride.market.attempt',
  cacheHit: 'freeride.market.cache_hit',
  capability: 'freeride.market.capability',
  failoverFrom: 'freeride.market.failover.from',
  failoverReason: 'freeride.market.failover.reason',
  keyId: 'freeride.market.key_id',
  outcome: 'freeride.market.outcome',
  provider: 'freeride.market.provider',
  singleFlightJoined: 'freeride.market.single_flight.joined',
  symbol: 'freeride.market.symbol',
} as const;
