import { ProviderUnavailableError } from '../market-data.errors';
import { MemoryMarketDataCache } from './market-data-cache';
import { KnownUnknownSymbolError, UnknownSymbolCache } from './unknown-symbols';

const notFound = (symbol: string) =>
  new ProviderUnavailableError({
    attempts: [
      { kind: 'not_found', provider: 'finnhub' },
      { kind: 'not_found', provider: 'polygon' },
    ] as never,
    capability: 'quote',
    symbol,
  });

describe('UnknownSymbolCache', () => {
  it('asks the providers once per unknown symbol until the entry expires', async () => {
    let now = 0;
    const cache = new UnknownSymbolCache(
      new MemoryMarketDataCache(() => now),
      60_000,
      () => now,
    );
    let calls = 0;
    const call = () => {
      calls++;
      return Promise.reject(notFound('ZZZZ'));
    };
    await expect(cache.guard('quote', 'ZZZZ', call)).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    await expect(cache.guard('quote', 'zzzz', call)).rejects.toBeInstanceOf(
      KnownUnknownSymbolError,
    );
    expect(calls).toBe(1);
    now += 60_001;
    await expect(cache.guard('quote', 'ZZZZ', call)).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(calls).toBe(2);
  });

  it('remembers nothing for other failures and passes results through', async () => {
    const cache = new UnknownSymbolCache(new MemoryMarketDataCache(), 60_000);
    const outage = new ProviderUnavailableError({
      attempts: [{ kind: 'timeout', provider: 'finnhub' }] as never,
      capability: 'quote',
      symbol: 'AAPL',
    });
    await expect(
      cache.guard('quote', 'AAPL', () => Promise.reject(outage)),
    ).rejects.toBe(outage);
    await expect(
      cache.guard('quote', 'AAPL', () => Promise.resolve(42)),
    ).resolves.toBe(42);
  });
});
