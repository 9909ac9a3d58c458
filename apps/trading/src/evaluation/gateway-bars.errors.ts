import { FreerideError } from '@freeride/contracts';

/** The gateway's bars endpoint failed, timed out or answered garbage. */
export class BarsUnavailableError extends FreerideError {
  constructor(
    details: {
      interval: string;
      status?: number;
      symbol: string;
      timeoutMs: number;
    },
    cause?: unknown,
  ) {
    super('bars unavailable from the market gateway', {
      cause,
      code: 'BARS_UNAVAILABLE',
      details,
      httpStatus: 503,
    });
  }
}
