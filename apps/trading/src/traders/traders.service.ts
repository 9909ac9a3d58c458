import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

import { generateApiKey, hashApiKey } from '../auth/api-key';
import { TradersRepository } from '../auth/traders.repository';
import type { CreatedTraderResponse } from './dto/create-trader.dto';

/** Creates traders with a fresh API key (stored hashed) and webhook secret. */
@Injectable()
export class TradersService {
  constructor(private readonly repository: TradersRepository) {}

  async create(name: string): Promise<CreatedTraderResponse> {
    const apiKey = generateApiKey();
    const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
    const { createdAt, id } = await this.repository.create({
      apiKeyHash: hashApiKey(apiKey),
      name,
      webhookSecret,
    });
    return {
      apiKey,
      createdAt: createdAt.toISOString(),
      id,
      name,
      webhookSecret,
    };
  }
}
