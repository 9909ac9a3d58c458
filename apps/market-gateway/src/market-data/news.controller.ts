import type { NewsResult } from '@freeride/market-data';

import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { NewsQueryDto, SymbolParamDto } from './dto/market-data.dto';
import { NewsResponse } from './dto/market-data.responses';
import { MarketDataService } from './market-data.service';
import { RetryAfterInterceptor } from './retry-after.interceptor';

@ApiTags('news')
@Controller('v1/news')
@UseInterceptors(RetryAfterInterceptor)
export class NewsController {
  constructor(private readonly marketData: MarketDataService) {}

  @ApiOkResponse({ type: NewsResponse })
  @ApiOperation({
    summary: 'Company news of one symbol between two days, newest first',
  })
  @Get(':symbol')
  getNews(
    @Param() params: SymbolParamDto,
    @Query() query: NewsQueryDto,
  ): Promise<NewsResult> {
    return this.marketData.getNews(params.symbol, query.from, query.to);
  }
}
