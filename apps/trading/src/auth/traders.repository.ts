import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';

import { PG_POOL } from '../database/database.constants';
import type { AuthenticatedTrader } from './authenticated-trader';

/** SQL of the `traders` table. */
@Injectable()
export class TradersRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async create(input: {
    apiKeyHash: string;
    name: string;
    webhookSecret: string;
  }): Promise<{ createdAt: Date; id: string }> {
    const { rows } = await this.pool.query<{ created_at: Date; id: string }>(
      `INSERT INTO traders (name, api_key_hash, webhook_secret)
       VALUES ($1, $2, $3) RETURNING id, created_at`,
      [input.name, input.apiKeyHash, input.webhookSecret],
    );
    return { createdAt: rows[0].created_at, id: rows[0].id };
  }

  async findByKeyHash(hash: string): Promise<AuthenticatedTrader | undefined> {
    const { rows } = await this.pool.query<{
      id: string;
      webhook_secret: string;
    }>('SELECT id, webhook_secret FROM traders WHERE api_key_hash = $1', [
      hash,
    ]);
    return rows[0] && { id: rows[0].id, webhookSecret: rows[0].webhook_secret };
  }

  async webhookSecret(traderId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ webhook_secret: string }>(
      'SELECT webhook_secret FROM traders WHERE id = $1',
      [traderId],
    );
    return rows[0]?.webhook_secret;
  }
}
