import { FreerideError } from '@freeride/contracts';

import { HttpException, HttpStatus } from '@nestjs/common';

/** The HTTP status an error maps to: HttpException, FreerideError, else 500. */
export function statusOf(err: unknown): number {
  if (err instanceof HttpException) return err.getStatus();
  if (err instanceof FreerideError) return err.httpStatus;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}
