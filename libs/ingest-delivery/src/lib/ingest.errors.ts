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

  constructor(cause: unknown) {
    super('durable stream unavailable; nothing was accepted', {
      cause,
      code: 'STREAM_UNAVAILABLE',
      httpStatus: 503,
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
