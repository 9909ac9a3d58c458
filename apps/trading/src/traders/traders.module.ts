import { Module } from '@nestjs/common';

import { TradersController } from './traders.controller';
import { TradersService } from './traders.service';

/** Operator-side trader management. */
@Module({ controllers: [TradersController], providers: [TradersService] })
export class TradersModule {}
