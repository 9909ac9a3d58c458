import { guardedRequest } from '@freeride/net-guard';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  channelMessage,
  signWebhook,
} from '@freeride/trading-rules';

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type Transporter, createTransport } from 'nodemailer';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import type { DeliveryTarget } from './deliveries.repository';
import { parsedDelivery } from './parsed-delivery';

/** SMTP's "requested mail action okay, completed", reported like an HTTP status. */
export const SMTP_ACCEPTED = 250;

/**
 * Sends one firing on its rule's channel and answers the receiver's status
 * (HTTP status, or 250 when the SMTP relay accepted the email). Every HTTP
 * channel goes through the SSRF guard (which throws
 * `ForbiddenDestinationError`); retries and the delivery log stay with the
 * caller, whatever the channel.
 */
@Injectable()
export class ChannelSenderService implements OnApplicationShutdown {
  private readonly transport?: Transporter;

  constructor(@Inject(TRADING_CONFIG) private readonly config: TradingConfig) {
    const timeoutMs = config.delivery.timeoutMs;
    if (config.smtp) {
      this.transport = createTransport({
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        url: config.smtp.url,
      });
    }
  }

  /** Where a target goes, for errors and logs (a host, never a path or an address). */
  static destination(target: DeliveryTarget): string {
    return parsedDelivery(target.delivery).destination;
  }

  async send(target: DeliveryTarget): Promise<number> {
    const { payload } = target;
    const { delivery } = parsedDelivery(target.delivery);
    const message = channelMessage(delivery.channel, payload);
    const timeoutMs = this.config.delivery.timeoutMs;
    if (message.kind === 'email') {
      if (!this.transport || !this.config.smtp || !delivery.email) {
        throw new Error('email channel has no SMTP relay or address');
      }
      const info = (await this.transport.sendMail({
        from: this.config.smtp.from,
        headers: { [IDEMPOTENCY_HEADER]: payload.idempotencyKey },
        // One id per firing: a retried send is recognisably the same message.
        messageId: `<${createHash('sha256').update(payload.idempotencyKey).digest('hex').slice(0, 32)}@freeride.trading>`,
        subject: message.subject,
        text: message.text,
        to: delivery.email,
      })) as { accepted: unknown[] };
      if (info.accepted.length === 0) {
        throw new Error('SMTP relay accepted no recipient');
      }
      return SMTP_ACCEPTED;
    }
    const headers: Record<string, string> = {
      'content-type': message.contentType,
      [IDEMPOTENCY_HEADER]: payload.idempotencyKey,
      'user-agent': 'freeride-trading/1',
    };
    if (delivery.channel === 'webhook') {
      headers[SIGNATURE_HEADER] = signWebhook({
        body: message.body,
        secret: target.secret,
        timestamp: Math.floor(Date.now() / 1000),
      });
    }
    // traceparent comes from the http instrumentation, inside the delivery span.
    // The guard checks the address it connects to (DNS rebinding) and follows
    // no redirect: a 3xx is a failed attempt.
    const res = await guardedRequest(
      delivery.webhookUrl!,
      { body: message.body, headers, method: 'POST', timeoutMs },
      this.config.webhookPolicy,
      'delivery.webhookUrl',
    );
    return res.status;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
