import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Body of `POST /v1/admin/traders`. */
export class CreateTraderDto {
  @ApiProperty({ example: 'Jane Trader' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name!: string;
}

/** A new trader; `apiKey` and `webhookSecret` are shown once. */
export interface CreatedTraderResponse {
  apiKey: string;
  createdAt: string;
  id: string;
  name: string;
  /** HMAC-SHA256 key of the trader's webhook signatures. */
  webhookSecret: string;
}
