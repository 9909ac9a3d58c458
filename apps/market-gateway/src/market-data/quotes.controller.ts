import type { Quote } from '@freeride/contracts';

import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { QuotesQueryDto, SymbolParamDto } from './dto/market-data.dto';
import { QuoteResponse } from './dto/market-data.responses';
import { MarketDataService } from './market-data.service';
import { RetryAfterInterceptor } from './retry-after.interceptor';

@ApiTags('quotes')
@Controller('v1/quotes')
@UseInterceptors(RetryAfterInterceptor)
export class QuotesController {
  constructor(private readonly marketData: MarketDataService) {}

  @ApiOkResponse({ type: [QuoteResponse] })
  @ApiOperation({ summary: 'Latest quotes of up to 50 symbols' })
  @Get()
  getQuotes(@Query() query: QuotesQueryDto): Promise<Quote[]> {
    return this.marketData.getQuotes(query.symbols.split(','));
  }

  @ApiOkResponse({ type: QuoteResponse })
  @ApiOperation({
    summary: 'Latest quote of one symbol, with its provider and age',
  })
  @Get(':symbol')
  getQuote(@Param() params: SymbolParamDto): Promise<Quote> {
    return this.marketData.getQuote(params.symbol);
  }
}
