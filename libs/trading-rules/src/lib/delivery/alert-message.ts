import type { AlertWebhookPayload, DeliveryChannel } from '@freeride/contracts';

/** The text of an alert when the rule has no template. */
export const DEFAULT_TEMPLATE = '{{symbol}} {{type}} fired at {{value}}';

/**
 * The values a template can name: the payload's (`symbol`, `price`, `value`,
 * `name`, `firedAt`, `tickAsOf`, `alertId`), the condition's `type` and its
 * own scalar fields (`threshold`, `lower`, `upper`, `level`, `period`, ...).
 */
export function templateVariables(
  payload: AlertWebhookPayload,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload.condition)) {
    if (typeof v === 'number' || typeof v === 'string') vars[k] = String(v);
  }
  vars['alertId'] = payload.alertId;
  vars['firedAt'] = payload.firedAt;
  vars['name'] = payload.name ?? '';
  vars['price'] = payload.price === undefined ? '' : String(payload.price);
  vars['symbol'] = payload.symbol;
  vars['tickAsOf'] = payload.tickAsOf;
  vars['value'] = String(Number(payload.value.toPrecision(10)));
  return vars;
}

/**
 * Fills `{{name}}` placeholders (spaces inside the braces allowed); an
 * unknown name is left as written, so a typo shows in the message instead
 * of vanishing.
 */
export function renderTemplate(
  template: string,
  vars: Record<string, string>,
): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(vars, key) ? vars[key] : whole,
  );
}

/** What one channel sends for one firing. */
export type ChannelMessage =
  | { body: string; contentType: 'application/json'; kind: 'http' }
  | { kind: 'email'; subject: string; text: string };

/**
 * The message of a firing in a channel's own format: Slack incoming webhooks
 * take `{"text"}`, Discord webhooks `{"content"}` (at most 2000 characters),
 * email a subject line and a plain-text body carrying the payload; the
 * webhook channel sends the payload itself (signed by the caller).
 * @see https://api.slack.com/messaging/webhooks
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
export function channelMessage(
  channel: DeliveryChannel,
  payload: AlertWebhookPayload,
): ChannelMessage {
  // The webhook channel sends the payload as is: no text to render.
  if (channel === 'webhook') {
    return {
      body: JSON.stringify(payload),
      contentType: 'application/json',
      kind: 'http',
    };
  }
  const text =
    payload.message ??
    renderTemplate(DEFAULT_TEMPLATE, templateVariables(payload));
  switch (channel) {
    case 'slack':
      return {
        body: JSON.stringify({ text }),
        contentType: 'application/json',
        kind: 'http',
      };
    case 'discord':
      return {
        body: JSON.stringify({
          allowed_mentions: { parse: [] },
          content: text.slice(0, 2000),
        }),
        contentType: 'application/json',
        kind: 'http',
      };
    case 'email':
      return {
        kind: 'email',
        subject: text.split(/[\r\n]/)[0].slice(0, 200),
        text: `${text}\n\n${JSON.stringify(payload, null, 2)}\n`,
      };
  }
}
