import type {
  AlertCondition,
  AlertDelivery,
  AlertWebhookPayload,
} from '@freeride/contracts';

import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';

import { PG_POOL } from '../database/database.constants';
import { alertPayload } from './alert-payload';

/** Everything a worker needs to deliver one trigger. */
export interface DeliveryTarget {
  delivery: AlertDelivery;
  payload: AlertWebhookPayload;
  secret: string;
}

/** A delivery in the dead-letter list. */
export interface DeadDelivery {
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
  ruleId: string;
  triggerId: string;
  updatedAt: string;
}

const SECRET_CACHE_MS = 60_000;

/** SQL of delivery state on `alert_triggers`. */
@Injectable()
export class DeliveriesRepository {
  private readonly secrets = new Map<string, { at: number; secret: string }>();

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** A trader's webhook secret, cached for a minute (signing must not wait on PostgreSQL). */
  async secret(traderId: string): Promise<string | undefined> {
    const cached = this.secrets.get(traderId);
    if (cached && Date.now() - cached.at < SECRET_CACHE_MS)
      return cached.secret;
    const { rows } = await this.pool.query<{ webhook_secret: string }>(
      'SELECT webhook_secret FROM traders WHERE id = $1',
      [traderId],
    );
    if (!rows[0]) return undefined;
    if (this.secrets.size > 10_000) this.secrets.clear();
    this.secrets.set(traderId, {
      at: Date.now(),
      secret: rows[0].webhook_secret,
    });
    return rows[0].webhook_secret;
  }

  /** Marks many triggers delivered in one statement. */
  async markDelivered(
    rows: ReadonlyArray<{
      attempts: number;
      statusCode: number;
      triggerId: string;
    }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query({
      // Prepared once per connection (parsed and planned once).
      name: 'trading-mark-delivered',
      text: `UPDATE alert_triggers AS t SET delivery_status = 'delivered',
         attempts = GREATEST(t.attempts, u.attempts), last_status_code = u.code,
         last_error = NULL, delivered_at = u.at, updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::timestamptz[]) AS u(id, attempts, code, at)
       WHERE t.id = u.id`,
      values: [
        rows.map((r) => r.triggerId),
        rows.map((r) => r.attempts),
        rows.map((r) => r.statusCode),
        rows.map(() => new Date()),
      ],
    });
  }

  /** What to send for a trigger not yet delivered nor dead (`undefined`: nothing to send). */
  async target(triggerId: string): Promise<DeliveryTarget | undefined> {
    const { rows } = await this.pool.query<{
      condition: AlertCondition;
      delivery: AlertDelivery;
      fired_at: Date;
      idempotency_key: string;
      name: string | null;
      price: number | null;
      rule_id: string;
      symbol: string;
      tick_as_of: Date;
      value: number;
      webhook_secret: string;
    }>(
      `SELECT t.idempotency_key, t.rule_id, t.symbol, t.value, t.price, t.tick_as_of, t.fired_at,
         r.name, r.condition, r.delivery, tr.webhook_secret
       FROM alert_triggers t
       JOIN alert_rules r ON r.id = t.rule_id
       JOIN traders tr ON tr.id = r.trader_id
       WHERE t.id = $1 AND t.delivery_status IN ('pending', 'retrying')`,
      [triggerId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      payload: alertPayload(
        {
          firedAt: r.fired_at,
          idempotencyKey: r.idempotency_key,
          price: r.price ?? undefined,
          ruleId: r.rule_id,
          symbol: r.symbol,
          tickAsOf: r.tick_as_of,
          value: r.value,
        },
        r,
      ),
      delivery: r.delivery,
      secret: r.webhook_secret,
    };
  }

  async markAttempt(
    triggerId: string,
    update: {
      attempts: number;
      error?: string;
      status: 'dead' | 'delivered' | 'pending' | 'retrying';
      statusCode?: number;
    },
  ): Promise<void> {
    await this.pool.query(
      `UPDATE alert_triggers SET delivery_status = $2, attempts = GREATEST(attempts, $3),
         last_status_code = COALESCE($4, last_status_code), last_error = $5,
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END,
         updated_at = now()
       WHERE id = $1`,
      [
        triggerId,
        update.status,
        update.attempts,
        update.statusCode ?? null,
        update.error ?? null,
      ],
    );
  }

  async dead(limit: number): Promise<DeadDelivery[]> {
    const { rows } = await this.pool.query<{
      attempts: number;
      id: string;
      last_error: string | null;
      last_status_code: number | null;
      rule_id: string;
      updated_at: Date;
    }>(
      `SELECT id, rule_id, attempts, last_status_code, last_error, updated_at
       FROM alert_triggers WHERE delivery_status = 'dead' ORDER BY updated_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      attempts: r.attempts,
      lastError: r.last_error,
      lastStatusCode: r.last_status_code,
      ruleId: r.rule_id,
      triggerId: r.id,
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async isDead(triggerId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM alert_triggers WHERE id = $1 AND delivery_status = 'dead'`,
      [triggerId],
    );
    return rows.length > 0;
  }
}
