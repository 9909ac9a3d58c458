/** Injection token of the `MarketDataRouter`. */
export const MARKET_DATA_ROUTER = Symbol('MARKET_DATA_ROUTER');
/** Injection token of the ioredis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Injection token of the gateway's `ClientKeyRegistry`. */
export const CLIENT_KEYS = Symbol('CLIENT_KEYS');
/** Injection token of the `UnknownSymbolCache` (negative cache). */
export const UNKNOWN_SYMBOLS = Symbol('UNKNOWN_SYMBOLS');
