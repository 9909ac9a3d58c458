import { ObservabilityModule } from '@freeride/observability';
import { RateLimitModule, bearerFingerprint } from '@freeride/rate-limit';

import {
  type DynamicModule,
  Global,
  Module,
  ValidationPipe,
} from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';

import { AlertsModule } from './alerts/alerts.module';
import { AuthModule } from './auth/auth.module';
import { TRADING_CONFIG, type TradingConfig } from './config/trading.config';
import { DatabaseModule } from './database/database.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { SentimentModule } from './sentiment/sentiment.module';
import { TradersModule } from './traders/traders.module';

/** The trading alerts API: the config, loaded once in main.ts, is injectable everywhere. */
@Global()
@Module({})
export class AppModule {
  static forRoot(config: TradingConfig): DynamicModule {
    return {
      exports: [TRADING_CONFIG],
      imports: [
        ObservabilityModule.forRoot({
          logLevel: config.logLevel,
          metricsPrefix: 'freeride_trading_',
          serviceName: 'trading',
        }),
        DatabaseModule.forRoot(config),
        RateLimitModule.forRoot({
          keyOf: bearerFingerprint,
          redisUrl: config.redisUrl,
          ...config.rateLimit,
        }),
        AlertsModule,
        AuthModule,
        DeliveriesModule,
        EvaluationModule,
        SentimentModule,
        TradersModule,
      ],
      module: AppModule,
      providers: [
        { provide: TRADING_CONFIG, useValue: config },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ transform: true, whitelist: true }),
        },
      ],
    };
  }
}
