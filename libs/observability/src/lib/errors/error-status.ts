import { FreerideError } from '@freeride/contracts';

import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A client error raised by Express' body parsers (`http-errors`): body over
 * the limit (413 `entity.too.large`), malformed JSON (400
 * `entity.parse.failed`), bad charset or encoding (415).
 */
export interface BodyParserError {
  expose: boolean;
  limit?: number;
  status: number;
  type: string;
}

export function isBodyParserError(err: unknown): err is BodyParserError {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Partial<BodyParserError>;
  return (
    e.expose === true &&
    typeof e.type === 'string' &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status < 500
  );
}

/** The HTTP status an error maps to: HttpException, FreerideError, a body-parser error, else 500. */
export function statusOf(err: unknown): number {
  if (err instanceof HttpException) return err.getStatus();
  if (err instanceof FreerideError) return err.httpStatus;
  if (isBodyParserError(err)) return err.status;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

/** The message a body-parser error answers with (names the limit). */
export function bodyParserMessage(err: BodyParserError): string {
  switch (err.type) {
    case 'entity.too.large':
      return `request body is larger than the limit${err.limit ? ` of ${err.limit} bytes` : ''}`;
    case 'entity.parse.failed':
      return 'request body is not valid JSON';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'request body encoding or charset is not supported';
    default:
      return 'request body was rejected';
  }
}
