import type { RedisClient } from '@freeride/redis-connection';
import type { CachedStory, SentimentCache } from '@freeride/trading-rules';

import { STORY_KEY_PREFIX } from './sentiment.constants';

/**
 * Scored stories in Redis, each with an expiry (`SET ... EX`). One command
 * per key (no MGET, no pipeline across keys): on a Redis Cluster the keys
 * of a batch live on different slots.
 */
export class RedisSentimentCache implements SentimentCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  async get(keys: readonly string[]): Promise<Array<CachedStory | undefined>> {
    if (keys.length === 0) return [];
    const values = await Promise.all(
      keys.map((k) => this.redis.get(STORY_KEY_PREFIX + k)),
    );
    return values.map((v) => (v ? (JSON.parse(v) as CachedStory) : undefined));
  }

  async set(stories: readonly CachedStory[]): Promise<void> {
    if (stories.length === 0) return;
    await Promise.all(
      stories.map((s) =>
        this.redis.set(
          STORY_KEY_PREFIX + s.key,
          JSON.stringify(s),
          'EX',
          this.ttlSeconds,
        ),
      ),
    );
  }
}
