import { ObservabilityModule } from '@freeride/observability';
import { RateLimitModule } from '@freeride/rate-limit';

import { type DynamicModule, Global, Module } from '@nestjs/common';

import { ClientAuthModule } from './auth/client-auth.module';
import { ClientKeyRegistry } from './auth/client-keys';
import {
  MARKET_GATEWAY_CONFIG,
  type MarketGatewayConfig,
} from './config/market-gateway.config';
import { CLIENT_KEYS } from './market-data/market-data.constants';
import { MarketDataModule } from './market-data/market-data.module';
import { ProviderHealthModule } from './provider-health/provider-health.module';
import { QuoteStreamModule } from './quote-stream/quote-stream.module';

/** The market-data gateway: the config, loaded once in main.ts, is injectable everywhere. */
@Global()
@Module({})
export class AppModule {
  /** @param config the validated gateway config */
  static forRoot(config: MarketGatewayConfig): DynamicModule {
    const clients = new ClientKeyRegistry(config.clients.keys);
    return {
      exports: [CLIENT_KEYS, MARKET_GATEWAY_CONFIG],
      imports: [
        ObservabilityModule.forRoot({
          logLevel: config.logLevel,
          metricsPrefix: 'freeride_gateway_',
          serviceName: 'market-gateway',
        }),
        MarketDataModule,
        ProviderHealthModule,
        QuoteStreamModule,
        // Per-address limit and per-client quota, then the client key guard.
        RateLimitModule.forRoot({
          keyOf: (req) => clients.identify(req.headers.authorization),
          perAddress: config.clients.perAddress,
          perKey: clients.enabled ? config.clients.quota : 0,
          redisUrl: config.redisUrl,
          windowMs: config.clients.windowMs,
        }),
        ClientAuthModule,
      ],
      module: AppModule,
      providers: [
        { provide: CLIENT_KEYS, useValue: clients },
        { provide: MARKET_GATEWAY_CONFIG, useValue: config },
      ],
    };
  }
}
