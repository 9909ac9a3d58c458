import type {
  AlertCondition,
  AlertDelivery,
  AlertWebhookPayload,
} from '@freeride/contracts';
import { renderTemplate, templateVariables } from '@freeride/trading-rules';

/** A stored firing: a row of `alert_triggers`, `firedAt` from PostgreSQL's clock. */
export interface StoredFiring {
  firedAt: Date;
  idempotencyKey: string;
  price?: number;
  ruleId: string;
  symbol: string;
  tickAsOf: Date;
  value: number;
}

/**
 * The payload of a firing. The evaluator (at fire time) and the worker
 * (after a restart) both build it here, from the stored row, so a replayed
 * delivery carries the same body, `firedAt` included.
 */
export function alertPayload(
  firing: StoredFiring,
  rule: {
    condition: AlertCondition;
    delivery: Pick<AlertDelivery, 'template'>;
    name: string | null;
  },
): AlertWebhookPayload {
  const payload: AlertWebhookPayload = {
    alertId: firing.ruleId,
    condition: rule.condition,
    firedAt: firing.firedAt.toISOString(),
    idempotencyKey: firing.idempotencyKey,
    name: rule.name,
    symbol: firing.symbol,
    tickAsOf: firing.tickAsOf.toISOString(),
    value: firing.value,
  };
  if (firing.price !== undefined) payload.price = firing.price;
  const template = rule.delivery.template;
  if (template !== undefined) {
    payload.message = renderTemplate(template, templateVariables(payload));
  }
  return payload;
}
