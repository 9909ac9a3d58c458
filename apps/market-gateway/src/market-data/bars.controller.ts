import type { BarsResult } from '@freeride/market-data';

import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { BarsQueryDto, SymbolParamDto } from './dto/market-data.dto';
import { BarsResponse } from './dto/market-data.responses';
import { MarketDataService } from './market-data.service';
import { RetryAfterInterceptor } from './retry-after.interceptor';

@ApiTags('bars')
@Controller('v1/bars')
@UseInterceptors(RetryAfterInterceptor)
export class BarsController {
  constructor(private readonly marketData: MarketDataService) {}

  @ApiOkResponse({ type: BarsResponse })
  @ApiOperation({ summary: 'Intraday bars of one symbol, oldest first' })
  @Get(':symbol')
  getBars(
    @Param() params: SymbolParamDto,
    @Query() query: BarsQueryDto,
  ): Promise<BarsResult> {
    return this.marketData.getBars(params.symbol, query.interval);
  }
}
