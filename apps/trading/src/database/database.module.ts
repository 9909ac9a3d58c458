import { HealthRegistry, registerRedisHealth } from '@freeride/observability';
import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Pool } from 'pg';

import type { TradingConfig } from '../config/trading.config';
import { PG_POOL, REDIS_CLIENT } from './database.constants';

/** Closes the pool and the Redis client, and registers their readiness checks. */
@Injectable()
class ConnectionsLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('postgres', async () => {
      try {
        await this.pool.query('SELECT 1');
        return { status: 'up' };
      } catch (err) {
        return { details: { reason: (err as Error).message }, status: 'down' };
      }
    });
    registerRedisHealth(this.health, this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
    this.redis.disconnect();
  }
}

/** The app's PostgreSQL pool and Redis client, for every feature. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: TradingConfig): DynamicModule {
    return {
      exports: [PG_POOL, REDIS_CLIENT],
      module: DatabaseModule,
      providers: [
        {
          provide: PG_POOL,
          // Up to 4 connections stay open when idle: a burst of firings
          // (commits, delivery statuses) does not wait for new connections
          // and their SCRAM handshakes.
          useFactory: () =>
            new Pool({ connectionString: config.databaseUrl, max: 10, min: 4 }),
        },
        {
          provide: REDIS_CLIENT,
          useFactory: () =>
            createRedisClient(config.redisUrl, { maxRetriesPerRequest: 3 }),
        },
        ConnectionsLifecycle,
      ],
    };
  }
}
