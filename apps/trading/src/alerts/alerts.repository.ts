import type {
  AlertCondition,
  AlertDelivery,
  AlertTrigger,
  CreateAlertRule,
} from '@freeride/contracts';

import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';

import { PG_POOL } from '../database/database.constants';
import type { AlertResponse, DeliveryResponse } from './dto/alert.response';

interface RuleRow {
  active: boolean;
  condition: AlertCondition;
  created_at: Date;
  deactivated_reason: string | null;
  delivery: AlertDelivery;
  expires_at: Date | null;
  fire_count: number;
  id: string;
  last_fired_at: Date | null;
  name: string | null;
  symbol: string;
  trigger: AlertTrigger;
}

const COLUMNS = `id, name, symbol, condition, trigger, delivery, expires_at,
  active, deactivated_reason, fire_count, last_fired_at, created_at`;

function toResponse(row: RuleRow): AlertResponse {
  return {
    active: row.active,
    condition: row.condition,
    createdAt: row.created_at.toISOString(),
    deactivatedReason: row.deactivated_reason,
    delivery: row.delivery,
    expiresAt: row.expires_at?.toISOString() ?? null,
    fireCount: row.fire_count,
    id: row.id,
    lastFiredAt: row.last_fired_at?.toISOString() ?? null,
    name: row.name,
    symbol: row.symbol,
    trigger: row.trigger,
  };
}

/** SQL of `alert_rules` and the per-rule view of `alert_triggers`. Every query is scoped by trader. */
@Injectable()
export class AlertsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async insert(
    traderId: string,
    rule: CreateAlertRule,
  ): Promise<AlertResponse> {
    const { rows } = await this.pool.query<RuleRow>(
      `INSERT INTO alert_rules (trader_id, name, symbol, condition, trigger, delivery, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [
        traderId,
        rule.name ?? null,
        rule.symbol,
        JSON.stringify(rule.condition),
        JSON.stringify(rule.trigger),
        JSON.stringify(rule.delivery),
        rule.expiresAt ?? null,
      ],
    );
    return toResponse(rows[0]);
  }

  async list(traderId: string): Promise<AlertResponse[]> {
    const { rows } = await this.pool.query<RuleRow>(
      `SELECT ${COLUMNS} FROM alert_rules
       WHERE trader_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 1000`,
      [traderId],
    );
    return rows.map(toResponse);
  }

  async get(traderId: string, id: string): Promise<AlertResponse | undefined> {
    const { rows } = await this.pool.query<RuleRow>(
      `SELECT ${COLUMNS} FROM alert_rules
       WHERE id = $1 AND trader_id = $2 AND deleted_at IS NULL`,
      [id, traderId],
    );
    return rows[0] && toResponse(rows[0]);
  }

  /** Soft-deletes (keeps the delivery history); false when not the trader's rule. */
  async delete(traderId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE alert_rules SET deleted_at = now(), active = false,
         deactivated_reason = COALESCE(deactivated_reason, 'deleted')
       WHERE id = $1 AND trader_id = $2 AND deleted_at IS NULL`,
      [id, traderId],
    );
    return (rowCount ?? 0) > 0;
  }

  async deliveries(ruleId: string): Promise<DeliveryResponse[]> {
    const { rows } = await this.pool.query<{
      attempts: number;
      delivered_at: Date | null;
      delivery_status: string;
      fired_at: Date;
      id: string;
      idempotency_key: string;
      last_error: string | null;
      last_status_code: number | null;
      tick_as_of: Date;
      value: number;
    }>(
      `SELECT id, idempotency_key, value, tick_as_of, fired_at, delivery_status, attempts,
         last_status_code, last_error, delivered_at
       FROM alert_triggers WHERE rule_id = $1 ORDER BY fired_at DESC LIMIT 500`,
      [ruleId],
    );
    return rows.map((r) => ({
      attempts: r.attempts,
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      firedAt: r.fired_at.toISOString(),
      id: r.id,
      idempotencyKey: r.idempotency_key,
      lastError: r.last_error,
      lastStatusCode: r.last_status_code,
      status: r.delivery_status,
      tickAsOf: r.tick_as_of.toISOString(),
      value: r.value,
    }));
  }
}
