import { z } from 'zod';

const threshold = z.number().positive().finite();
const windowSeconds = z.number().int().min(1).max(86_400);

/** Bar widths of the gateway's `/v1/bars` and of indicator conditions. */
export const BAR_INTERVALS = [
  '1min',
  '5min',
  '15min',
  '30min',
  '60min',
] as const;
export type IndicatorInterval = (typeof BAR_INTERVALS)[number];

const interval = z.enum(BAR_INTERVALS);
const period = z.number().int().min(2).max(500);
const direction = z.enum(['down', 'up']);
const levelOp = z.enum(['above', 'below', 'crossing_down', 'crossing_up']);
const movingAverage = z.enum(['ema', 'sma']);

/**
 * Conditions on one symbol's ticks. Thresholds compare with the quote's
 * `price`, windows use the quote's `asOf` (tick time, not wall time).
 *
 * - `price_above` / `price_below`: level, strictly greater / less than.
 * - `crossing_up`: previous price `< threshold <=` current price (a gap counts).
 * - `crossing_down`: previous price `> threshold >=` current price.
 * - `crossing`: either of the two.
 * - `percent_move` / `price_change`: change against the price `windowSeconds`
 *   ago is at least `percent` percent / `amount` in `direction`.
 * - `volume_spike`: tick volume is at least `factor` times the mean tick
 *   volume of the previous `windowSeconds`.
 * - `channel`: `inside` (`lower <= price <= upper`), `outside`, `entering`
 *   (previous tick outside, this one inside) or `exiting`.
 *
 * Indicator conditions use bars of `interval` built from the ticks (bars
 * aligned to epoch; a bar closes at the first tick of a later bar) and seeded
 * from the gateway's bars when the rule is armed. Indicator values are those
 * of closed bars; a crossing compares the previous tick's values with this
 * tick's, so a crossover of two indicators fires on the tick that closes the
 * bar.
 * - `price_vs_ma`: the price `above`, `below` or crossing the SMA/EMA.
 * - `ma_cross`: the `fast` moving average crosses the `slow` one.
 * - `rsi`: Wilder's RSI `above`, `below` or crossing `level`.
 * - `macd_cross`: the MACD line crosses its signal line.
 * - `bollinger_break`: the price crosses out of the band (`upper`: previous
 *   price `<=` previous upper band, price `>` upper band; `lower` mirrored).
 */
const TICK_CONDITIONS = [
  z.object({ threshold, type: z.literal('price_above') }),
  z.object({ threshold, type: z.literal('price_below') }),
  z.object({ threshold, type: z.literal('crossing_up') }),
  z.object({ threshold, type: z.literal('crossing_down') }),
  z.object({ threshold, type: z.literal('crossing') }),
  z.object({
    direction,
    percent: z.number().positive().max(1000),
    type: z.literal('percent_move'),
    windowSeconds,
  }),
  z.object({
    amount: z.number().positive().finite(),
    direction,
    type: z.literal('price_change'),
    windowSeconds,
  }),
  z.object({
    factor: z.number().gt(1).max(1000),
    type: z.literal('volume_spike'),
    windowSeconds,
  }),
  z
    .object({
      lower: threshold,
      mode: z.enum(['entering', 'exiting', 'inside', 'outside']),
      type: z.literal('channel'),
      upper: threshold,
    })
    .refine((c) => c.lower < c.upper, {
      message: 'lower must be less than upper',
      path: ['lower'],
    }),
  z.object({
    interval,
    ma: movingAverage,
    op: levelOp,
    period,
    type: z.literal('price_vs_ma'),
  }),
  z
    .object({
      direction,
      fast: period,
      interval,
      ma: movingAverage,
      slow: period,
      type: z.literal('ma_cross'),
    })
    .refine((c) => c.fast < c.slow, {
      message: 'fast must be less than slow',
      path: ['fast'],
    }),
  z.object({
    interval,
    level: z.number().gt(0).lt(100),
    op: levelOp,
    period,
    type: z.literal('rsi'),
  }),
  z
    .object({
      direction,
      fast: period.default(12),
      interval,
      signal: period.default(9),
      slow: period.default(26),
      type: z.literal('macd_cross'),
    })
    .refine((c) => c.fast < c.slow, {
      message: 'fast must be less than slow',
      path: ['fast'],
    }),
  z.object({
    band: z.enum(['lower', 'upper']),
    interval,
    period,
    stdDev: z.number().positive().max(10).default(2),
    type: z.literal('bollinger_break'),
  }),
] as const;

/** A condition on ticks (any condition but sentiment and composition). */
export const TickConditionSchema = z.discriminatedUnion('type', [
  ...TICK_CONDITIONS,
]);
export type TickCondition = z.infer<typeof TickConditionSchema>;

/**
 * What an alert rule watches: a tick condition, a news sentiment level
 * (`sentiment_above` / `sentiment_below`, score in [-1, 1]), `all` / `any`
 * of 2 to 5 tick conditions, true on a tick when all / any of them are, or a
 * `sequence`: `then` holds on a tick, and `first` held on an earlier tick at
 * most `withinBars` bars of `interval` before it (the bar of the tick minus
 * the bar of the earlier one, bars aligned to epoch, so 1 is the same bar or
 * the previous one). `first` is watched from when the rule is armed (after a
 * restart, over the evaluator's warm-up window), cooling down or not.
 */
export const AlertConditionSchema = z.discriminatedUnion('type', [
  ...TICK_CONDITIONS,
  z.object({
    threshold: z.number().min(-1).max(1),
    type: z.literal('sentiment_above'),
  }),
  z.object({
    threshold: z.number().min(-1).max(1),
    type: z.literal('sentiment_below'),
  }),
  z.object({
    conditions: z.array(TickConditionSchema).min(2).max(5),
    type: z.literal('all'),
  }),
  z.object({
    conditions: z.array(TickConditionSchema).min(2).max(5),
    type: z.literal('any'),
  }),
  z.object({
    first: TickConditionSchema,
    interval,
    then: TickConditionSchema,
    type: z.literal('sequence'),
    withinBars: z.number().int().min(1).max(500),
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

/** Channels a fired alert can go to. */
export const DELIVERY_CHANNELS = [
  'discord',
  'email',
  'slack',
  'webhook',
] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * Where a fired alert goes, through one queue with the same retries,
 * idempotency and delivery log whatever the channel:
 * - `webhook` (default): the signed JSON payload POSTed to `webhookUrl`;
 * - `slack` / `discord`: an incoming-webhook message (`{"text"}` /
 *   `{"content"}`) POSTed to `webhookUrl`;
 * - `email`: a plain-text email to `email` over the server's SMTP relay.
 *
 * `template` is the message text (Slack, Discord, email subject and body, and
 * `message` in the webhook payload), with `{{name}}` placeholders: `symbol`,
 * `price`, `value`, `name`, `type`, `firedAt`, `tickAsOf` and the
 * condition's own numbers and words (`threshold`, `lower`, `level`, ...).
 */
export const AlertDeliverySchema = z
  .object({
    channel: z.enum(DELIVERY_CHANNELS).default('webhook'),
    email: z.email().optional(),
    template: z.string().min(1).max(500).optional(),
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((d, ctx) => {
    const need = d.channel === 'email' ? 'email' : 'webhookUrl';
    if (d[need] === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `required for the ${d.channel} channel`,
        path: [need],
      });
    }
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

/**
 * Body of `POST /v1/alerts/backtest`: replay `condition` over the gateway's
 * bars of `interval` (one tick per bar, at its start, with its close) between
 * `from` and `to`, with `trigger` (default: every matching bar).
 */
export const BacktestRequestSchema = z
  .object({
    condition: AlertConditionSchema,
    from: z.iso.datetime({ offset: true }).optional(),
    interval: interval.default('1min'),
    symbol: CreateAlertRuleSchema.shape.symbol,
    to: z.iso.datetime({ offset: true }).optional(),
    trigger: AlertTriggerSchema.default({
      cooldownSeconds: 0,
      mode: 'every_time',
    }),
  })
  .refine((b) => !b.from || !b.to || Date.parse(b.from) < Date.parse(b.to), {
    message: 'from must be before to',
    path: ['from'],
  });
export type BacktestRequest = z.infer<typeof BacktestRequestSchema>;

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
  /** The rule's `delivery.template` filled in; absent without a template. */
  message: z.string().optional(),
  name: z.string().nullable(),
  /** The tick's price (absent on sentiment firings). */
  price: z.number().optional(),
  symbol: z.string(),
  tickAsOf: z.iso.datetime({ offset: true }),
  value: z.number(),
});
export type AlertWebhookPayload = z.infer<typeof AlertWebhookPayloadSchema>;
