import { Module } from '@nestjs/common';

import { MarketDataModule } from '../market-data/market-data.module';
import { ProviderHealthController } from './provider-health.controller';
import { ProviderHealthService } from './provider-health.service';

/** `/health/providers`, provider readiness checks and probes. */
@Module({
  controllers: [ProviderHealthController],
  imports: [MarketDataModule],
  providers: [ProviderHealthService],
})
export class ProviderHealthModule {}
