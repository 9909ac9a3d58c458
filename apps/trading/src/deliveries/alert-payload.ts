import type { AlertCondition, AlertWebhookPayload } from '@freeride/contracts';

/** A stored firing: a row of `alert_triggers`, `firedAt` from PostgreSQL's clock. */
export interface StoredFiring {
  firedAt: Date;
  idempotencyKey: string;
  ruleId: string;
  symbol: string;
  tickAsOf: Date;
  value: number;
}

/**
 * The webhook body of a firing. The evaluator (at fire time) and the worker
 * (after a restart) both build it here, from the stored row, so a replayed
 * delivery carries the same body, `firedAt` included.
 */
export function alertPayload(
  firing: StoredFiring,
  rule: { condition: AlertCondition; name: string | null },
): AlertWebhookPayload {
  return {
    alertId: firing.ruleId,
    condition: rule.condition,
    firedAt: firing.firedAt.toISOString(),
    idempotencyKey: firing.idempotencyKey,
    name: rule.name,
    symbol: firing.symbol,
    tickAsOf: firing.tickAsOf.toISOString(),
    value: firing.value,
  };
}
