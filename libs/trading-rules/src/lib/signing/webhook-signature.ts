import { FreerideError } from '@freeride/contracts';

import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature of a webhook delivery. */
export const SIGNATURE_HEADER = 'x-freeride-signature';
/** Header carrying the idempotency key of a webhook delivery. */
export const IDEMPOTENCY_HEADER = 'x-freeride-idempotency-key';

/** Thrown by {@link verifyWebhookSignature} when a signature is not valid. */
export class WebhookSignatureError extends FreerideError {
  constructor(reason: string) {
    super('webhook signature rejected', {
      code: 'WEBHOOK_SIGNATURE_INVALID',
      details: { reason },
      httpStatus: 401,
    });
  }
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.${body}`)
    .digest('hex');
}

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
 * The timestamp inside the signed text lets a receiver reject replays.
 * @see https://docs.stripe.com/webhooks#verify-manually (same scheme)
 */
export function signWebhook(options: {
  body: string;
  secret: string;
  /** Unix seconds. */
  timestamp: number;
}): string {
  const { body, secret, timestamp } = options;
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * Verifies a signature header produced by {@link signWebhook}; throws
 * {@link WebhookSignatureError} naming the reason.
 */
export function verifyWebhookSignature(options: {
  body: string;
  header: string | undefined;
  /** Unix seconds; @default now */
  now?: number;
  secret: string;
  /** Accepted clock skew and age in seconds. @default 300 */
  toleranceSeconds?: number;
}): { timestamp: number } {
  const { body, header, secret } = options;
  if (!header) throw new WebhookSignatureError('missing header');
  const parts = new Map(
    header.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1');
  if (!Number.isInteger(timestamp) || !signature) {
    throw new WebhookSignatureError('malformed header');
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookSignatureError('timestamp outside tolerance');
  }
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookSignatureError('signature mismatch');
  }
  return { timestamp };
}
