import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, Matches } from 'class-validator';

/** Body of the operator's sentiment refresh and backfill routes. */
export class SentimentSymbolsDto {
  @ApiProperty({ example: ['AAPL', 'NVDA'], type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @Matches(/^[A-Z0-9][A-Z0-9.:\-^]{0,23}$/, {
    each: true,
    message: 'each symbol must be an upper-case ticker',
  })
  symbols!: string[];
}
