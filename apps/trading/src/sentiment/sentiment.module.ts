import { Module } from '@nestjs/common';
import { OpenAI } from 'openai';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { OPENAI_CLIENT } from './sentiment.constants';
import { SentimentController } from './sentiment.controller';
import { SentimentService } from './sentiment.service';

/** News sentiment: dedup, delta, batched OpenAI scoring, Redis cache, signals for rules. */
@Module({
  controllers: [SentimentController],
  imports: [EvaluationModule],
  providers: [
    {
      inject: [TRADING_CONFIG],
      provide: OPENAI_CLIENT,
      useFactory: (config: TradingConfig) =>
        new OpenAI({
          apiKey: config.openai.apiKey,
          baseURL: config.openai.baseUrl,
          maxRetries: 0,
          timeout: config.sentiment.timeoutMs,
        }),
    },
    SentimentService,
  ],
})
export class SentimentModule {}
