import type { Quote } from '@freeride/contracts';
import type {
  BarInterval,
  BarsResult,
  MarketDataRouter,
  NewsResult,
  UnknownSymbolCache,
} from '@freeride/market-data';

import { Inject, Injectable } from '@nestjs/common';

import { MARKET_DATA_ROUTER, UNKNOWN_SYMBOLS } from './market-data.constants';

/**
 * Quotes, bars and news through the router (cache, single-flight, failover),
 * behind the negative cache of unknown symbols.
 */
@Injectable()
export class MarketDataService {
  constructor(
    @Inject(MARKET_DATA_ROUTER) private readonly router: MarketDataRouter,
    @Inject(UNKNOWN_SYMBOLS) private readonly unknown: UnknownSymbolCache,
  ) {}

  getBars(symbol: string, interval: BarInterval): Promise<BarsResult> {
    return this.unknown.guard('bars', symbol, () =>
      this.router.getBars(symbol, interval),
    );
  }

  getNews(symbol: string, from: string, to: string): Promise<NewsResult> {
    return this.unknown.guard('news', symbol, () =>
      this.router.getNews(symbol, from, to),
    );
  }

  getQuote(symbol: string): Promise<Quote> {
    return this.unknown.guard('quote', symbol, () =>
      this.router.getQuote(symbol),
    );
  }

  /** Several quotes; one failing symbol fails the request (no silent gaps). */
  getQuotes(symbols: readonly string[]): Promise<Quote[]> {
    return Promise.all(symbols.map((s) => this.getQuote(s)));
  }
}
