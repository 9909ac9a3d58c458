import { FreerideError } from '@freeride/contracts';

/** Alertmanager did not accept alerts: non-2xx answer, timeout or network error. */
export class AlertmanagerRequestError extends FreerideError {
  constructor(
    message: string,
    readonly url: string,
    readonly status: number | undefined,
    cause?: unknown,
  ) {
    super(message, {
      cause,
      code: 'ALERTMANAGER_REQUEST_FAILED',
      details: { status, url },
      httpStatus: 502,
    });
  }
}
