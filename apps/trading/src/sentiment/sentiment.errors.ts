import { FreerideError } from '@freeride/contracts';

/** The gateway's news endpoint failed or timed out. */
export class NewsUnavailableError extends FreerideError {
  constructor(
    details: { status?: number; symbol: string; timeoutMs: number },
    cause?: unknown,
  ) {
    super('company news unavailable from the market gateway', {
      cause,
      code: 'NEWS_UNAVAILABLE',
      details,
      httpStatus: 503,
    });
  }
}

/** OpenAI refused for quota or kept rate limiting: sentiment is paused, not retried blindly. */
export class SentimentModelUnavailableError extends FreerideError {
  constructor(
    details: { code: string; retryAfterMs?: number },
    cause?: unknown,
  ) {
    super('sentiment model unavailable', {
      cause,
      code: 'SENTIMENT_MODEL_UNAVAILABLE',
      details,
      httpStatus: 503,
    });
  }
}
