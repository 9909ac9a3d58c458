import type { LogSink } from '@freeride/contracts';
import {
  AlphaVantageProvider,
  type BreakerState,
  FinnhubProvider,
  type MarketDataProvider,
  MarketDataRouter,
  PolygonProvider,
  ProviderHealthTracker,
  type ProviderName,
  RedisMarketDataCache,
  RedisSharedBudget,
  type RouterHooks,
  createProviderSlot,
  readKeyFile,
  watchKeyFile,
} from '@freeride/market-data';
import type { RedisClient } from '@freeride/redis-connection';

import type { MarketGatewayConfig } from '../config/market-gateway.config';

/** The router plus what must be stopped at shutdown. */
export interface BuiltRouter {
  router: MarketDataRouter;
  /** Stops the key file watchers. */
  stopWatchers: () => void;
}

function client(
  name: ProviderName,
  config: MarketGatewayConfig,
): MarketDataProvider {
  const settings = config.providers[name];
  const common = {
    baseUrl: settings.baseUrl,
    maxQuoteAgeMs: config.cache.maxQuoteAgeMs,
    streamInitialBackoffMs: config.stream.reconnectBackoffMs,
    wsUrl: settings.wsUrl,
  };
  switch (name) {
    case 'alphavantage':
      return new AlphaVantageProvider(common);
    case 'finnhub':
      return new FinnhubProvider(common);
    case 'polygon':
      return new PolygonProvider(common);
  }
}

/**
 * Builds the router from the config: one client, key pool (inline keys plus
 * the watched secret file) and breaker per provider that is routed or streamed.
 */
export function buildRouter(options: {
  config: MarketGatewayConfig;
  hooks: RouterHooks;
  logger: LogSink;
  onBreakerStateChange?: (provider: ProviderName, state: BreakerState) => void;
  redis: RedisClient;
}): BuiltRouter {
  const { config, logger } = options;
  const names = [
    ...new Set([
      ...config.routes.quote,
      ...config.routes.bars,
      ...config.routes.news,
      ...config.stream.providers,
    ]),
  ].sort();
  const stops: (() => void)[] = [];
  const shared = config.sharedBudget
    ? new RedisSharedBudget(options.redis)
    : undefined;
  const slots = names.map((name) => {
    const settings = config.providers[name];
    const fileKeys = settings.keysFile ? readKeyFile(settings.keysFile) : [];
    const slot = createProviderSlot({
      breakerFailureThreshold: config.breaker.failureThreshold,
      breakerHalfOpenAfterMs: config.breaker.halfOpenAfterMs,
      client: client(name, config),
      keys: [...settings.keys, ...fileKeys],
      onBreakerStateChange: (state) => {
        logger.warn(
          { provider: name, state },
          'provider breaker state changed',
        );
        options.onBreakerStateChange?.(name, state);
      },
      perKeyLimits: settings.planLimits,
      shared,
    });
    if (settings.keysFile) {
      stops.push(
        watchKeyFile(
          settings.keysFile,
          (keys) => {
            slot.keys.replaceKeys([...settings.keys, ...keys]);
            logger.info(
              { keys: slot.keys.size, provider: name },
              'provider keys replaced',
            );
          },
          config.keyFilePollMs,
        ),
      );
    }
    return slot;
  });
  const router = new MarketDataRouter({
    attemptTimeoutMs: config.request.providerTimeoutMs,
    cache: new RedisMarketDataCache(options.redis),
    deadlineMs: config.request.deadlineMs,
    freshnessMs: config.cache.freshnessMs,
    health: new ProviderHealthTracker({
      maxDataAgeMs: config.cache.maxQuoteAgeMs,
    }),
    hooks: options.hooks,
    logger,
    maxLimiterWaitMs: config.request.limiterMaxWaitMs,
    maxQuoteAgeMs: config.cache.maxQuoteAgeMs,
    routes: config.routes,
    slots,
  });
  return { router, stopWatchers: () => stops.forEach((stop) => stop()) };
}
