import { FreerideError } from '@freeride/contracts';

/** A webhook POST that failed (network, timeout, or non-2xx); BullMQ retries it. */
export class WebhookDeliveryError extends FreerideError {
  constructor(
    details: { statusCode?: number; target: string; timeoutMs: number },
    cause?: unknown,
  ) {
    super(
      details.statusCode === undefined
        ? 'webhook POST failed before a response'
        : 'webhook POST answered with a non-2xx status',
      { cause, code: 'WEBHOOK_DELIVERY_FAILED', details, httpStatus: 502 },
    );
  }
}

/**
 * What a failed attempt's log says of its error: the message and its
 * cause's only (the error's details name the trader's destination).
 */
export function failureLogFields(err: unknown): {
  cause?: string;
  error: string;
} {
  const error = err as Error;
  return {
    cause: (error.cause as Error | undefined)?.message,
    error: error.message,
  };
}

/** The operator asked to replay a delivery that is not in the dead-letter list. */
export class DeliveryNotDeadError extends FreerideError {
  constructor(triggerId: string) {
    super('delivery is not in the dead-letter list', {
      code: 'DELIVERY_NOT_DEAD',
      details: { triggerId },
      httpStatus: 409,
    });
  }
}
