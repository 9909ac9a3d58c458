import type { AlertConditionType } from '@freeride/contracts';

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsEmail,
  IsISO8601,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export const CONDITION_TYPES: AlertConditionType[] = [
  'crossing_down',
  'crossing_up',
  'percent_move',
  'price_above',
  'price_below',
  'sentiment_above',
  'sentiment_below',
  'volume_spike',
];
const THRESHOLD_TYPES = new Set<string>([
  'crossing_down',
  'crossing_up',
  'price_above',
  'price_below',
  'sentiment_above',
  'sentiment_below',
]);
const WINDOW_TYPES = new Set<string>(['percent_move', 'volume_spike']);

/** What the rule watches; which fields are required depends on `type`. */
export class AlertConditionDto {
  @ApiPropertyOptional({
    description: 'percent_move only',
    enum: ['down', 'up'],
  })
  @ValidateIf((o: AlertConditionDto) => o.type === 'percent_move')
  @IsIn(['down', 'up'])
  direction?: 'down' | 'up';

  @ApiPropertyOptional({
    description: 'volume_spike only: multiple of the mean volume (> 1)',
  })
  @ValidateIf((o: AlertConditionDto) => o.type === 'volume_spike')
  @IsNumber()
  factor?: number;

  @ApiPropertyOptional({
    description: 'percent_move only: minimum move in percent (> 0)',
  })
  @ValidateIf((o: AlertConditionDto) => o.type === 'percent_move')
  @IsNumber()
  percent?: number;

  @ApiPropertyOptional({
    description:
      'price and crossing types: price (> 0); sentiment types: score in [-1, 1]',
  })
  @ValidateIf((o: AlertConditionDto) => THRESHOLD_TYPES.has(o.type))
  @IsNumber()
  threshold?: number;

  @ApiProperty({ enum: CONDITION_TYPES })
  @IsIn(CONDITION_TYPES)
  type!: AlertConditionType;

  @ApiPropertyOptional({
    description: 'percent_move and volume_spike: window in seconds',
  })
  @ValidateIf((o: AlertConditionDto) => WINDOW_TYPES.has(o.type))
  @IsInt()
  windowSeconds?: number;
}

/** How often the rule may fire. */
export class AlertTriggerDto {
  @ApiPropertyOptional({ description: 'once_per_bar only' })
  @ValidateIf((o: AlertTriggerDto) => o.mode === 'once_per_bar')
  @IsInt()
  barSeconds?: number;

  @ApiPropertyOptional({ description: 'every_time only (0: no cooldown)' })
  @ValidateIf((o: AlertTriggerDto) => o.mode === 'every_time')
  @IsInt()
  cooldownSeconds?: number;

  @ApiProperty({ enum: ['every_time', 'once', 'once_per_bar'] })
  @IsIn(['every_time', 'once', 'once_per_bar'])
  mode!: 'every_time' | 'once' | 'once_per_bar';
}

/** Where a fired alert goes. */
export class AlertDeliveryDto {
  @ApiPropertyOptional({
    description: 'Copy by email (stored; sending is not wired yet)',
  })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiProperty({
    description: 'http(s) URL receiving signed POSTs',
    example: 'https://example.com/hook',
  })
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  webhookUrl!: string;
}

/** Body of `POST /v1/alerts`. */
export class CreateAlertDto {
  @ApiProperty({ type: AlertConditionDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => AlertConditionDto)
  condition!: AlertConditionDto;

  @ApiProperty({ type: AlertDeliveryDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => AlertDeliveryDto)
  delivery!: AlertDeliveryDto;

  @ApiPropertyOptional({
    description: 'ISO-8601 instant after which the rule never fires',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  name?: string;

  @ApiProperty({ example: 'AAPL' })
  @IsString()
  @Matches(/^[A-Z0-9][A-Z0-9.:\-^]{0,23}$/, {
    message: 'symbol must be an upper-case ticker',
  })
  symbol!: string;

  @ApiProperty({ type: AlertTriggerDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => AlertTriggerDto)
  trigger!: AlertTriggerDto;
}
