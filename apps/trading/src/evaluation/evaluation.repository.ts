import type {
  AlertCondition,
  AlertDelivery,
  AlertTrigger,
} from '@freeride/contracts';
import type { RuleFire } from '@freeride/trading-rules';

import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';

import { PG_POOL } from '../database/database.constants';
import type { ActiveRuleRecord, TradingRule } from './trading-rule';

/** A firing with the stream message it came from. */
export interface PendingFire {
  fire: RuleFire<TradingRule>;
  /** Epoch ms at which the evaluator read the tick. */
  receivedAt?: number;
  streamId?: string;
  traceparent?: string;
}

/** A firing stored by {@link EvaluationRepository.commit} (new, not a replay). */
export interface StoredTrigger {
  /** PostgreSQL's `fired_at`: the one clock of a firing. */
  firedAt: Date;
  id: string;
  idempotencyKey: string;
}

/** SQL of the evaluator: rule state, triggers and the stream checkpoint, in one transaction per batch. */
@Injectable()
export class EvaluationRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Active rules: all of them, or those of `ids`. */
  async loadActive(ids?: readonly string[]): Promise<ActiveRuleRecord[]> {
    const { rows } = await this.pool.query<{
      condition: AlertCondition;
      delivery: AlertDelivery;
      expires_at: Date | null;
      id: string;
      name: string | null;
      rearm_at: string | null;
      symbol: string;
      trader_id: string;
      trigger: AlertTrigger;
    }>(
      `SELECT id, trader_id, name, symbol, condition, trigger, delivery, expires_at, rearm_at
       FROM alert_rules WHERE active AND deleted_at IS NULL
         AND ($1::uuid[] IS NULL OR id = ANY($1::uuid[]))`,
      [ids ?? null],
    );
    return rows.map((r) => ({
      condition: r.condition,
      delivery: r.delivery,
      expiresAt: r.expires_at?.getTime(),
      id: r.id,
      name: r.name,
      rearmAt: r.rearm_at === null ? undefined : Number(r.rearm_at),
      symbol: r.symbol,
      traderId: r.trader_id,
      trigger: r.trigger,
    }));
  }

  async checkpoint(stream: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ last_id: string }>(
      'SELECT last_id FROM evaluator_checkpoints WHERE stream = $1',
      [stream],
    );
    return rows[0]?.last_id;
  }

  /**
   * Commits one tick batch atomically, in one statement (one round trip):
   * new triggers (a replayed idempotency key is skipped), one batched
   * deactivation of the fired `once` rules, the re-arm times of repeating
   * rules, expired rules, and the stream checkpoint. Returns only the
   * triggers that were new.
   */
  async commit(batch: {
    /** The stream position reached, stored under each of `stream`'s keys. */
    checkpoint?: { id: string; stream: string | readonly string[] };
    expired: string[];
    fires: PendingFire[];
  }): Promise<StoredTrigger[]> {
    const f = batch.fires;
    const once = f.filter((p) => p.fire.rule.trigger.mode === 'once');
    const repeating = lastPerRule(
      f.filter((p) => p.fire.rule.trigger.mode !== 'once'),
    );
    const expired = new Set(batch.expired);
    // A data-modifying CTE must not touch a row twice: a rule that fired and
    // expired in the same batch is deactivated by the repeating-rule update.
    const onceIds = [...new Set(once.map((p) => p.fire.rule.id))].filter(
      (id) => !expired.has(id),
    );
    const repeatingIds = new Set(repeating.map((r) => r.id));
    const expiredOnly = batch.expired.filter((id) => !repeatingIds.has(id));
    const { rows } = await this.pool.query<{
      fired_at: Date;
      id: string;
      idempotency_key: string;
    }>({
      // Prepared once per connection: PostgreSQL parses and plans this
      // statement once, not on every commit.
      name: 'trading-evaluation-commit',
      text: `WITH ins AS (
         INSERT INTO alert_triggers (idempotency_key, rule_id, symbol, value, tick_as_of, stream_id, traceparent, price)
         SELECT k, r, s, v, to_timestamp(t / 1000.0), sid, tp, p
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::text[], $16::float8[])
           AS x(k, r, s, v, t, sid, tp, p)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id, idempotency_key, fired_at
       ), once_rules AS (
         UPDATE alert_rules SET active = false, deactivated_reason = 'fired',
           fire_count = fire_count + 1, last_fired_at = now()
         WHERE id = ANY($8::uuid[]) AND active
       ), repeating_rules AS (
         UPDATE alert_rules AS r SET rearm_at = u.rearm, fire_count = r.fire_count + u.n,
           last_fired_at = now(),
           active = r.active AND NOT u.expired,
           deactivated_reason = CASE WHEN u.expired THEN 'expired' ELSE r.deactivated_reason END
         FROM unnest($9::uuid[], $10::bigint[], $11::int[], $12::bool[]) AS u(id, rearm, n, expired)
         WHERE r.id = u.id
       ), expired_rules AS (
         UPDATE alert_rules SET active = false, deactivated_reason = 'expired'
         WHERE id = ANY($13::uuid[]) AND active
       ), checkpoint AS (
         INSERT INTO evaluator_checkpoints (stream, last_id)
         SELECT s, $15::text FROM unnest($14::text[]) AS s
         ON CONFLICT (stream) DO UPDATE SET last_id = EXCLUDED.last_id, updated_at = now()
       )
       SELECT id, idempotency_key, fired_at FROM ins`,
      values: [
        f.map((p) => p.fire.idempotencyKey),
        f.map((p) => p.fire.rule.id),
        f.map((p) => p.fire.rule.symbol),
        f.map((p) => p.fire.value),
        f.map((p) => p.fire.asOf),
        f.map((p) => p.streamId ?? null),
        f.map((p) => p.traceparent ?? null),
        onceIds,
        repeating.map((r) => r.id),
        repeating.map((r) => r.rearmAt ?? null),
        repeating.map((r) => r.count),
        repeating.map((r) => expired.has(r.id)),
        expiredOnly,
        batch.checkpoint ? [batch.checkpoint.stream].flat() : [],
        batch.checkpoint?.id ?? null,
        f.map((p) => p.fire.price ?? null),
      ],
    });
    return rows.map((r) => ({
      firedAt: r.fired_at,
      id: r.id,
      idempotencyKey: r.idempotency_key,
    }));
  }

  /** Triggers committed but possibly never enqueued (crash between commit and enqueue). */
  async pendingTriggers(
    limit: number,
  ): Promise<Array<{ firedAt: Date; id: string }>> {
    // `retrying`: a failed first attempt whose job a crash may have prevented.
    const { rows } = await this.pool.query<{ fired_at: Date; id: string }>(
      `SELECT id, fired_at FROM alert_triggers WHERE delivery_status IN ('pending', 'retrying')
       ORDER BY fired_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ firedAt: r.fired_at, id: r.id }));
  }
}

function lastPerRule(
  fires: PendingFire[],
): Array<{ count: number; id: string; rearmAt?: number }> {
  const byRule = new Map<
    string,
    { count: number; id: string; rearmAt?: number }
  >();
  for (const p of fires) {
    const seen = byRule.get(p.fire.rule.id);
    byRule.set(p.fire.rule.id, {
      count: (seen?.count ?? 0) + 1,
      id: p.fire.rule.id,
      rearmAt: p.fire.rearmAt,
    });
  }
  return [...byRule.values()];
}
