import { BAR_INTERVALS, type BarInterval } from '@freeride/market-data';

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, Matches } from 'class-validator';

/** A ticker: letters, digits, `.`, `-`, `:`, up to 20 characters. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9.:-]{1,20}$/;

/** Path parameter of every per-symbol route. */
export class SymbolParamDto {
  @ApiProperty({ example: 'AAPL' })
  @Matches(SYMBOL_PATTERN)
  symbol!: string;
}

/** `GET /v1/quotes?symbols=AAPL,MSFT` */
export class QuotesQueryDto {
  @ApiProperty({
    description: 'Comma-separated tickers, at most 50',
    example: 'AAPL,MSFT',
  })
  @Matches(/^[A-Za-z0-9.:-]{1,20}(,[A-Za-z0-9.:-]{1,20}){0,49}$/, {
    message: 'symbols must be 1 to 50 comma-separated tickers',
  })
  symbols!: string;
}

/** `GET /v1/bars/:symbol?interval=5min` */
export class BarsQueryDto {
  @ApiPropertyOptional({ default: '5min', enum: BAR_INTERVALS })
  @IsIn(BAR_INTERVALS)
  @IsOptional()
  interval: BarInterval = '5min';
}

/** `GET /v1/news/:symbol?from=2026-11-01&to=2026-11-24` */
export class NewsQueryDto {
  @ApiProperty({ example: '2026-11-01' })
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  from!: string;

  @ApiProperty({ example: '2026-11-24' })
  @IsDateString({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  to!: string;
}
