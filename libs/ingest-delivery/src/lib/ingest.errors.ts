import { FreerideError } from '@freeride/contracts';

/**
 * The durable stream is above its high-water mark: the sender must retry
 * later. Mapped to 429 with `Retry-After` by the ingest.
 */
export class BackPressureError extends FreerideError {
  readonly retryAfterSeconds: number;

  constructor(details: {
    backlogBytes: number;
    highWaterBytes: number;
    retryAfterSeconds: number;
  }) {
    super('ingest backlog is above its high-water mark; retry later', {
      code: 'BACK_PRESSURE',
      details,
      httpStatus: 429,
    });
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * The durable stream cannot be written (Redis down, out of memory): nothing
 * was acknowledged. Mapped to 503 with `Retry-After`.
 */
export class StreamUnavailableError extends FreerideError {
  readonly retryAfterSeconds = 5;

  constructor(
    cause: unknown,
    what: {
      code?: string;
      details?: Record<string, unknown>;
      message?: string;
    } = {},
  ) {
    super(what.message ?? 'durable stream unavailable; nothing was accepted', {
      cause,
      code: what.code ?? 'STREAM_UNAVAILABLE',
      details: what.details,
      httpStatus: 503,
    });
  }
}

/**
 * The append reached the master but too few replicas acknowledged it within
 * the timeout (`WAIT`): it is not acknowledged to the sender, who retries (a
 * resend is deduplicated by the documents' content ids). Mapped to 503 with
 * `Retry-After`, like {@link StreamUnavailableError}.
 */
export class ReplicaAckError extends StreamUnavailableError {
  constructor(details: {
    acknowledged: number;
    cause?: unknown;
    required: number;
    timeoutMs: number;
  }) {
    const { cause, ...fields } = details;
    super(cause, {
      code: 'REPLICA_ACK_TIMEOUT',
      details: fields,
      message: `only ${fields.acknowledged} of ${fields.required} replicas acknowledged the write within ${fields.timeoutMs} ms; nothing was accepted`,
    });
  }
}

/** Elasticsearch cannot be reached at all; the batch stays pending. */
export class ElasticsearchUnavailableError extends FreerideError {
  constructor(operation: string, cause: unknown) {
    super(`elasticsearch unavailable during ${operation}`, {
      cause,
      code: 'ELASTICSEARCH_UNAVAILABLE',
      details: { operation },
      httpStatus: 503,
    });
  }
}
