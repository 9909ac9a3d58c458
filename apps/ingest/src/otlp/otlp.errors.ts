import { FreerideError } from '@freeride/contracts';

/** A request the ingest refuses before decoding, with its OTLP/HTTP status. */
export class OtlpRequestError extends FreerideError {
  constructor(
    readonly reason:
      | 'too_large'
      | 'unsupported_media_type'
      | 'bad_request'
      | 'forbidden'
      | 'not_found'
      | 'unauthenticated',
    httpStatus: number,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause, code: reason.toUpperCase(), httpStatus });
  }
}
