import { FreerideError } from '@freeride/contracts';

import { ProviderUnavailableError } from '../market-data.errors';
import type { MarketDataCache } from './market-data-cache';

/** Answered for a symbol every provider recently said does not exist. */
export class KnownUnknownSymbolError extends FreerideError {
  constructor(symbol: string) {
    super('no provider knows the symbol (remembered; providers not asked)', {
      code: 'SYMBOL_NOT_FOUND',
      details: { cached: true, symbol },
      httpStatus: 404,
    });
  }
}

/**
 * Negative cache of unknown symbols: once every provider answered "not
 * found" for a symbol, requests for it answer 404 for `ttlMs` without
 * spending provider quota (random symbols used to exhaust the plans).
 * Stored in the shared market-data cache, so all instances agree.
 */
export class UnknownSymbolCache {
  constructor(
    private readonly cache: MarketDataCache,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `call` unless `symbol` is known to be unknown for this kind of data
   * (a news provider may not know a symbol a quote provider knows);
   * remembers a new "not found".
   */
  async guard<T>(
    kind: string,
    symbol: string,
    call: () => Promise<T>,
  ): Promise<T> {
    if (this.ttlMs <= 0) return call();
    const key = `unknown:${kind}:${symbol.toUpperCase()}`;
    const hit = await this.cache.get<true>(key).catch(() => null);
    if (hit) throw new KnownUnknownSymbolError(symbol);
    try {
      return await call();
    } catch (err) {
      if (
        err instanceof ProviderUnavailableError &&
        err.code === 'SYMBOL_NOT_FOUND'
      ) {
        await this.cache
          .set(key, { storedAt: this.now(), value: true }, this.ttlMs)
          .catch(() => undefined);
      }
      throw err;
    }
  }
}
