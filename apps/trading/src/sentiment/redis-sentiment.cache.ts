import type { CachedStory, SentimentCache } from '@freeride/trading-rules';

import type { Redis } from 'ioredis';

import { STORY_KEY_PREFIX } from './sentiment.constants';

/** Scored stories in Redis, each with an expiry (`SET ... EX`). */
export class RedisSentimentCache implements SentimentCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async get(keys: readonly string[]): Promise<Array<CachedStory | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map((k) => STORY_KEY_PREFIX + k));
    return values.map((v) => (v ? (JSON.parse(v) as CachedStory) : undefined));
  }

  async set(stories: readonly CachedStory[]): Promise<void> {
    if (stories.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const s of stories) {
      pipeline.set(
        STORY_KEY_PREFIX + s.key,
        JSON.stringify(s),
        'EX',
        this.ttlSeconds,
      );
    }
    await pipeline.exec();
  }
}
