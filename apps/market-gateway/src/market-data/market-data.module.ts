import {
  type MarketDataRouter,
  RedisMarketDataCache,
  UnknownSymbolCache,
} from '@freeride/market-data';
import {
  HealthRegistry,
  nestLogSink,
  registerRedisHealth,
} from '@freeride/observability';
import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import {
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import {
  MARKET_GATEWAY_CONFIG,
  type MarketGatewayConfig,
} from '../config/market-gateway.config';
import { BarsController } from './bars.controller';
import {
  MARKET_DATA_ROUTER,
  REDIS_CLIENT,
  UNKNOWN_SYMBOLS,
} from './market-data.constants';
import { type BuiltRouter, buildRouter } from './market-data.factory';
import { MarketDataMetrics } from './market-data.metrics';
import { MarketDataService } from './market-data.service';
import { NewsController } from './news.controller';
import { QuotesController } from './quotes.controller';

const BUILT_ROUTER = Symbol('BUILT_ROUTER');

/** Provider routing, cache and the REST API for quotes, bars and news. */
@Module({
  controllers: [BarsController, NewsController, QuotesController],
  exports: [MARKET_DATA_ROUTER, MarketDataMetrics, REDIS_CLIENT],
  providers: [
    MarketDataMetrics,
    MarketDataService,
    {
      inject: [MARKET_GATEWAY_CONFIG],
      provide: REDIS_CLIENT,
      useFactory: (config: MarketGatewayConfig) => {
        const redis = createRedisClient(config.redisUrl, {
          maxRetriesPerRequest: 1,
        });
        const logger = new Logger('Redis');
        // Without a listener ioredis reports reconnect errors as unhandled.
        redis.on('error', (err: Error) =>
          logger.warn({ err }, 'redis connection error'),
        );
        return redis;
      },
    },
    {
      inject: [MARKET_GATEWAY_CONFIG, MarketDataMetrics, REDIS_CLIENT],
      provide: BUILT_ROUTER,
      useFactory: (
        config: MarketGatewayConfig,
        metrics: MarketDataMetrics,
        redis: RedisClient,
      ): BuiltRouter => {
        const built = buildRouter({
          config,
          hooks: metrics.hooks(),
          logger: nestLogSink(new Logger('MarketDataRouter')),
          redis,
        });
        metrics.bind(built.router);
        return built;
      },
    },
    {
      inject: [MARKET_GATEWAY_CONFIG, REDIS_CLIENT],
      provide: UNKNOWN_SYMBOLS,
      useFactory: (config: MarketGatewayConfig, redis: RedisClient) =>
        new UnknownSymbolCache(
          new RedisMarketDataCache(redis),
          config.cache.unknownSymbolTtlMs,
        ),
    },
    {
      inject: [BUILT_ROUTER],
      provide: MARKET_DATA_ROUTER,
      useFactory: (built: BuiltRouter): MarketDataRouter => built.router,
    },
  ],
})
export class MarketDataModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(BUILT_ROUTER) private readonly built: BuiltRouter,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly health: HealthRegistry,
  ) {}

  /** Readiness of the Redis that holds the cache and the quote stream. */
  onModuleInit(): void {
    registerRedisHealth(this.health, this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    this.built.stopWatchers();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
