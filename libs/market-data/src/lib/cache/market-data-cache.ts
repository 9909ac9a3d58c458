import type { Cluster, Redis } from 'ioredis';

/** A cached value and when it was stored (epoch ms). */
export interface CacheEntry<T> {
  storedAt: number;
  value: T;
}

/** Where the router keeps fetched data until its freshness limit. */
export interface MarketDataCache {
  get<T>(key: string): Promise<CacheEntry<T> | null>;
  /** Stores `entry` for `ttlMs` (the data kind's freshness limit). */
  set<T>(key: string, entry: CacheEntry<T>, ttlMs: number): Promise<void>;
}

/** Redis key prefix of cached market data. */
export const CACHE_KEY_PREFIX = 'freeride:md:';

/**
 * The cache in Redis: one JSON string per key with `PX` expiry at the data
 * kind's freshness limit, so every gateway instance shares one copy.
 */
export class RedisMarketDataCache implements MarketDataCache {
  /** @param redis one Redis or a cluster: every command names one key */
  constructor(private readonly redis: Redis | Cluster) {}

  async get<T>(key: string): Promise<CacheEntry<T> | null> {
    const raw = await this.redis.get(CACHE_KEY_PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as CacheEntry<T>);
  }

  async set<T>(
    key: string,
    entry: CacheEntry<T>,
    ttlMs: number,
  ): Promise<void> {
    await this.redis.set(
      CACHE_KEY_PREFIX + key,
      JSON.stringify(entry),
      'PX',
      Math.max(1, Math.round(ttlMs)),
    );
  }
}

/** An in-process cache with the same expiry semantics (unit tests, the bench's naive baseline). */
export class MemoryMarketDataCache implements MarketDataCache {
  private readonly entries = new Map<
    string,
    { entry: unknown; expiresAt: number }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  get<T>(key: string): Promise<CacheEntry<T> | null> {
    const hit = this.entries.get(key);
    if (!hit || hit.expiresAt <= this.now()) return Promise.resolve(null);
    return Promise.resolve(hit.entry as CacheEntry<T>);
  }

  set<T>(key: string, entry: CacheEntry<T>, ttlMs: number): Promise<void> {
    this.entries.set(key, { entry, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }
}
