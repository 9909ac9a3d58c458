import { ProviderUnavailableError } from '@freeride/market-data';

import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { type Observable, catchError, throwError } from 'rxjs';

/**
 * Adds `Retry-After` (seconds) when every provider was rate limited, so the
 * WordPress plugin and the Python scripts back off instead of retrying hot.
 */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (
          err instanceof ProviderUnavailableError &&
          err.retryAfterMs !== undefined
        ) {
          const res = context.switchToHttp().getResponse<Response>();
          res.setHeader(
            'Retry-After',
            String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))),
          );
        }
        return throwError(() => err);
      }),
    );
  }
}
