import { FreerideError } from '@freeride/contracts';

/** Elasticsearch refused anomaly documents or the index template. */
export class AnomalyStoreError extends FreerideError {
  constructor(
    message: string,
    details: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(message, {
      cause,
      code: 'ANOMALY_STORE_FAILED',
      details,
      httpStatus: 503,
    });
  }
}
