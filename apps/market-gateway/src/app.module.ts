import { ObservabilityModule } from '@freeride/observability';

import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';

import type { MarketGatewayConfig } from './config/market-gateway.config';
import { GATEWAY_CONFIG } from './market-data/market-data.constants';
import { MarketDataModule } from './market-data/market-data.module';
import { ProviderHealthModule } from './provider-health/provider-health.module';
import { QuoteStreamModule } from './quote-stream/quote-stream.module';

/** Makes the validated config injectable everywhere. */
@Global()
@Module({})
class GatewayConfigModule {
  static forRoot(config: MarketGatewayConfig): DynamicModule {
    return {
      exports: [GATEWAY_CONFIG],
      module: GatewayConfigModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
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
      ],
      module: AppModule,
    };
  }
}
