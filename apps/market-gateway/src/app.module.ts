import { ObservabilityModule } from '@freeride/observability';
import { RateLimitModule } from '@freeride/rate-limit';

import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';

import { ClientAuthModule } from './auth/client-auth.module';
import { ClientKeyRegistry } from './auth/client-keys';
import type { MarketGatewayConfig } from './config/market-gateway.config';
import {
  CLIENT_KEYS,
  GATEWAY_CONFIG,
} from './market-data/market-data.constants';
import { MarketDataModule } from './market-data/market-data.module';
import { ProviderHealthModule } from './provider-health/provider-health.module';
import { QuoteStreamModule } from './quote-stream/quote-stream.module';

/** Makes the validated config injectable everywhere. */
@Global()
@Module({})
class GatewayConfigModule {
  static forRoot(config: MarketGatewayConfig): DynamicModule {
    return {
      exports: [CLIENT_KEYS, GATEWAY_CONFIG],
      module: GatewayConfigModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: CLIENT_KEYS,
          useValue: new ClientKeyRegistry(config.clients.keys),
        },
      ],
    };
  }
}

/** The market-data gateway. */
@Module({})
export class AppModule {
  /**
   * @param config the validated gateway config
   * @param options.logStream where log lines go (tests capture them) @default stdout
   */
  static forRoot(
    config: MarketGatewayConfig,
    options: { logStream?: DestinationStream } = {},
  ): DynamicModule {
    const clients = new ClientKeyRegistry(config.clients.keys);
    return {
      imports: [
        GatewayConfigModule.forRoot(config),
        MarketDataModule,
        ObservabilityModule.forRoot({
          logLevel: config.logLevel,
          logStream: options.logStream,
          metricsPrefix: 'freeride_gateway_',
          serviceName: 'market-gateway',
          serviceVersion: '0.1.0',
        }),
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
    };
  }
}
