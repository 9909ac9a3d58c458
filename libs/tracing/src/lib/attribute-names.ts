/**
 * Attribute keys of the platform's own spans and span events, all under
 * `freeride.*` so they never collide with semantic conventions. Every manual
 * span takes its keys from here; the values are what dashboards, saved
 * searches and e2e tests query, so change a value only together with them.
 * @see https://opentelemetry.io/docs/specs/semconv/general/naming/
 */
export const ATTR = {
  /** Records, documents or alerts handled in one step. */
  BATCH_SIZE: 'freeride.batch.size',
  /** OTLP signal of an ingest request: `logs`, `metrics` or `traces`. */
  INGEST_SIGNAL: 'freeride.ingest.signal',
  /** Authenticated source (token name) of an ingest request. */
  INGEST_SOURCE: 'freeride.ingest.source',
  /** 1-based attempt number within one provider (key rotation). */
  MARKET_ATTEMPT: 'freeride.market.attempt',
  /** Whether the market-data cache had the entry. */
  MARKET_CACHE_HIT: 'freeride.market.cache_hit',
  /** Market-data capability: `quote`, `bars`, `news` or `stream`. */
  MARKET_CAPABILITY: 'freeride.market.capability',
  /** Provider a failover left (span event attribute). */
  MARKET_FAILOVER_FROM: 'freeride.market.failover.from',
  /** Failure kind that caused a failover (span event attribute). */
  MARKET_FAILOVER_REASON: 'freeride.market.failover.reason',
  /** Id of the API key used (never the key itself). */
  MARKET_KEY_ID: 'freeride.market.key_id',
  /** Outcome of one provider attempt: `success` or a failure kind. */
  MARKET_OUTCOME: 'freeride.market.outcome',
  /** Market-data provider name. */
  MARKET_PROVIDER: 'freeride.market.provider',
  /** Whether a request joined an upstream call already in flight. */
  MARKET_SINGLE_FLIGHT_JOINED: 'freeride.market.single_flight.joined',
  /** Instrument symbol of a market-data request. */
  MARKET_SYMBOL: 'freeride.market.symbol',
  /** Number of symbols of a quote-stream subscription. */
  MARKET_SYMBOLS: 'freeride.market.symbols',
  /** Outcome of a business step (e.g. a delivery: `delivered`, `gone`). */
  OUTCOME: 'freeride.outcome',
  /** Redis stream entry id a step read or wrote. */
  STREAM_ID: 'freeride.stream.id',
} as const;

/** One of the platform's own attribute keys. */
export type AttributeName = (typeof ATTR)[keyof typeof ATTR];
