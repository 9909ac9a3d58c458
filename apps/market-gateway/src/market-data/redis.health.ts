import { HealthRegistry } from '@freeride/observability';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';

import { REDIS_CLIENT } from './market-data.constants';

/** Readiness of the Redis that holds the cache and the quote stream. */
@Injectable()
export class RedisHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    this.registry.register('redis', async () => {
      try {
        return (await this.redis.ping()) === 'PONG'
          ? { status: 'up' }
          : { details: { reason: 'no PONG' }, status: 'down' };
      } catch (err) {
        return { details: { reason: (err as Error).message }, status: 'down' };
      }
    });
  }
}
