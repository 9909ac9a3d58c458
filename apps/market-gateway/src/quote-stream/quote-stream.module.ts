import { Module } from '@nestjs/common';

import { MarketDataModule } from '../market-data/market-data.module';
import { QuoteStreamService } from './quote-stream.service';

/** Provider websocket trades → the `freeride:quotes` Redis stream. */
@Module({
  exports: [QuoteStreamService],
  imports: [MarketDataModule],
  providers: [QuoteStreamService],
})
export class QuoteStreamModule {}
