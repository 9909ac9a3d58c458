import { Global, Module } from '@nestjs/common';

import { AdminTokenGuard } from './admin-token.guard';
import { ApiKeyGuard } from './api-key.guard';
import { TradersRepository } from './traders.repository';

/** Trader API keys and the operator token. */
@Global()
@Module({
  exports: [AdminTokenGuard, ApiKeyGuard, TradersRepository],
  providers: [AdminTokenGuard, ApiKeyGuard, TradersRepository],
})
export class AuthModule {}
