import type { Quote } from '@freeride/contracts';
import { QUOTE_PROVIDERS } from '@freeride/contracts';
import type {
  Bar,
  BarInterval,
  BarsResult,
  NewsItem,
  NewsResult,
  ProviderName,
} from '@freeride/market-data';

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A quote: price, who served it and how old it is (documents `Quote` of `@freeride/contracts`). */
export class QuoteResponse implements Quote {
  @ApiProperty({
    description: 'Age of the price in ms when served (now - asOf)',
  })
  ageMs!: number;
  @ApiProperty({
    description: 'Provider timestamp of the price (ISO-8601 UTC)',
  })
  asOf!: string;
  @ApiProperty({ description: 'True when served from the gateway cache' })
  cached!: boolean;
  @ApiProperty()
  price!: number;
  @ApiProperty({ enum: QUOTE_PROVIDERS })
  provider!: ProviderName;
  @ApiProperty({
    description:
      'When the gateway received it from the provider (ISO-8601 UTC)',
  })
  receivedAt!: string;
  @ApiProperty({
    description: 'True when older than QUOTE_MAX_AGE_MS: never treat as live',
  })
  stale!: boolean;
  @ApiProperty({ example: 'AAPL' })
  symbol!: string;
  @ApiPropertyOptional()
  volume?: number;
}

/** One OHLCV bar. */
export class BarResponse implements Bar {
  @ApiProperty() close!: number;
  @ApiProperty() high!: number;
  @ApiProperty() low!: number;
  @ApiProperty() open!: number;
  @ApiProperty({ description: 'Bar start (ISO-8601 UTC)' }) start!: string;
  @ApiProperty() volume!: number;
}

/** Intraday bars. */
export class BarsResponse implements BarsResult {
  @ApiProperty() ageMs!: number;
  @ApiProperty({ type: [BarResponse] }) bars!: Bar[];
  @ApiProperty() cached!: boolean;
  @ApiProperty() interval!: BarInterval;
  @ApiProperty({ enum: QUOTE_PROVIDERS }) provider!: ProviderName;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() symbol!: string;
}

/** One news item. */
export class NewsItemResponse implements NewsItem {
  @ApiProperty() datetime!: string;
  @ApiProperty() headline!: string;
  @ApiProperty() id!: string;
  @ApiProperty({ type: [String] }) related!: string[];
  @ApiProperty() source!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() url!: string;
}

/** Company news. */
export class NewsResponse implements NewsResult {
  @ApiProperty() ageMs!: number;
  @ApiProperty() cached!: boolean;
  @ApiProperty({ type: [NewsItemResponse] }) items!: NewsItem[];
  @ApiProperty({ enum: QUOTE_PROVIDERS }) provider!: ProviderName;
  @ApiProperty() receivedAt!: string;
  @ApiProperty() symbol!: string;
}
