import { HealthRegistry, registerRedisHealth } from '@freeride/observability';
import {
  type RedisClient,
  createRedisClient,
  isRedisCluster,
} from '@freeride/redis-connection';

import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Logger } from '@nestjs/common';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';

/** Client for appends: fails fast (no offline queue) so senders get a 503 at once. */
export const REDIS_WRITER = Symbol('REDIS_WRITER');

@Global()
@Module({
  exports: [REDIS_WRITER],
  providers: [
    {
      inject: [INGEST_CONFIG],
      provide: REDIS_WRITER,
      useFactory: (config: IngestConfig) =>
        createRedisClient(config.redis.url, {
          connectionName: 'ingest-writer',
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
        }),
    },
  ],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisModule.name);

  constructor(
    @Inject(REDIS_WRITER) private readonly redis: RedisClient,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.redis.on('error', (err: Error) =>
      this.logger.warn(
        { err: { message: err.message } },
        'redis connection error',
      ),
    );
    registerRedisHealth(this.health, this.redis);
    void this.checkDurability();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /**
   * An acknowledged record is only as durable as Redis' append-only file,
   * and on a cluster as its replicas (`INGEST_ACK_REPLICAS`).
   */
  private async checkDurability(): Promise<void> {
    if (isRedisCluster(this.redis) && this.config.stream.ackReplicas === 0)
      this.logger.warn(
        'INGEST_ACK_REPLICAS is 0 on a Redis Cluster: a master failover can lose acknowledged records',
      );
    try {
      await new Promise<void>((resolve) => {
        if (this.redis.status === 'ready') resolve();
        else this.redis.once('ready', () => resolve());
      });
      const [, appendonly] = (await this.redis.config('GET', 'appendonly')) as [
        string,
        string,
      ];
      const [, fsync] = (await this.redis.config('GET', 'appendfsync')) as [
        string,
        string,
      ];
      if (appendonly !== 'yes') {
        this.logger.error(
          { appendonly },
          'redis append-only file is off: acknowledged records can be lost',
        );
      } else if (fsync !== 'always') {
        this.logger.warn(
          { appendfsync: fsync },
          'redis fsyncs less than every write: a power loss can lose the last second',
        );
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read redis durability settings');
    }
  }
}
