import { z } from 'zod';

const threshold = z.number().positive().finite();
const windowSeconds = z.number().int().min(1).max(86_400);

/**
 * What an alert rule watches. Thresholds compare with the quote's `price`,
 * windows use the quote's `asOf` (tick time, not wall time).
 *
 * - `price_above` / `price_below`: level, strictly greater / less than.
 * - `crossing_up`: previous price `< threshold <=` current price (a gap counts).
 * - `crossing_down`: previous price `> threshold >=` current price.
 * - `percent_move`: change against the price `windowSeconds` ago is at least
 *   `percent` in `direction`.
 * - `volume_spike`: tick volume is at least `factor` times the mean tick
 *   volume of the previous `windowSeconds`.
 * - `sentiment_above` / `sentiment_below`: news sentiment score in [-1, 1].
 */
export const AlertConditionSchema = z.discriminatedUnion('type', [
  z.object({ threshold, type: z.literal('price_above') }),
  z.object({ threshold, type: z.literal('price_below') }),
  z.object({ threshold, type: z.literal('crossing_up') }),
  z.object({ threshold, type: z.literal('crossing_down') }),
  z.object({
    direction: z.enum(['down', 'up']),
    percent: z.number().positive().max(1000),
    type: z.literal('percent_move'),
    windowSeconds,
  }),
  z.object({
    factor: z.number().gt(1).max(1000),
    type: z.literal('volume_spike'),
    windowSeconds,
  }),
  z.object({
    threshold: z.number().min(-1).max(1),
    type: z.literal('sentiment_above'),
  }),
  z.object({
    threshold: z.number().min(-1).max(1),
    type: z.literal('sentiment_below'),
  }),
]);
export type AlertCondition = z.infer<typeof AlertConditionSchema>;
export type AlertConditionType = AlertCondition['type'];

/**
 * How often a rule may fire.
 * - `once`: fire, then deactivate.
 * - `once_per_bar`: at most once per `barSeconds` bar (bars aligned to epoch).
 * - `every_time`: every matching tick, at most once per `cooldownSeconds`.
 */
export const AlertTriggerSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('once') }),
  z.object({
    barSeconds: z.number().int().min(1).max(86_400),
    mode: z.literal('once_per_bar'),
  }),
  z.object({
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400 * 7),
    mode: z.literal('every_time'),
  }),
]);
export type AlertTrigger = z.infer<typeof AlertTriggerSchema>;

/** Where a fired alert goes: a signed webhook, optionally an email copy. */
export const AlertDeliverySchema = z.object({
  email: z.email().optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }),
});
export type AlertDelivery = z.infer<typeof AlertDeliverySchema>;

/** Input of a new alert rule (the body of `POST /v1/alerts`). */
export const CreateAlertRuleSchema = z.object({
  condition: AlertConditionSchema,
  delivery: AlertDeliverySchema,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  name: z.string().min(1).max(120).optional(),
  symbol: z
    .string()
    .regex(/^[A-Z0-9][A-Z0-9.:\-^]{0,23}$/, 'upper-case ticker, 1-24 chars'),
  trigger: AlertTriggerSchema,
});
export type CreateAlertRule = z.infer<typeof CreateAlertRuleSchema>;

/** An alert rule as the API returns it. */
export const AlertRuleSchema = CreateAlertRuleSchema.extend({
  active: z.boolean(),
  createdAt: z.iso.datetime({ offset: true }),
  id: z.uuid(),
  lastFiredAt: z.iso.datetime({ offset: true }).nullable(),
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

/**
 * The JSON body of a webhook delivery. The request carries the headers
 * `x-freeride-signature: t=<unix seconds>,v1=<hex hmac-sha256>` over
 * `<t>.<raw body>` and `x-freeride-idempotency-key` (= `idempotencyKey`).
 */
export const AlertWebhookPayloadSchema = z.object({
  alertId: z.uuid(),
  condition: AlertConditionSchema,
  firedAt: z.iso.datetime({ offset: true }),
  idempotencyKey: z.string(),
  name: z.string().nullable(),
  symbol: z.string(),
  tickAsOf: z.iso.datetime({ offset: true }),
  value: z.number(),
});
export type AlertWebhookPayload = z.infer<typeof AlertWebhookPayloadSchema>;
