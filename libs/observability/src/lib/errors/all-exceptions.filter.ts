import { FreerideError } from '@freeride/contracts';
import { currentTraceId } from '@freeride/tracing';

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';

import { bodyParserMessage, isBodyParserError, statusOf } from './error-status';

/**
 * The documented error body of every app:
 * `{ statusCode, error, message, errorId?, details? }`.
 * `errorId` is the trace id of the failed request, for 5xx answers.
 */
export interface ErrorBody {
  details?: Record<string, unknown>;
  error: string;
  errorId?: string;
  message: string | string[];
  statusCode: number;
}

/**
 * Global exception filter: maps `HttpException` and `FreerideError` to their
 * status and message, anything else to a generic 500 whose `errorId` is the
 * trace id, and logs each error once (5xx at error level, 4xx at warn).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, errorId: body.errorId },
        'request failed with an unexpected error',
      );
    } else {
      this.logger.warn(
        { err: exception, statusCode: body.statusCode },
        'request rejected',
      );
    }
    if (!res.headersSent) {
      res.status(body.statusCode).json(body);
    }
  }

  private toBody(exception: unknown): ErrorBody {
    const statusCode = statusOf(exception);
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const fromResponse =
        typeof response === 'object' && response !== null
          ? (response as { error?: string; message?: string | string[] })
          : { message: String(response) };
      return {
        error: fromResponse.error ?? exception.name,
        message: fromResponse.message ?? exception.message,
        statusCode,
        ...(statusCode >= 500 ? { errorId: currentTraceId() } : {}),
      };
    }
    if (isBodyParserError(exception)) {
      return {
        error: exception.type,
        message: bodyParserMessage(exception),
        statusCode,
      };
    }
    if (exception instanceof FreerideError && statusCode < 500) {
      return {
        details: exception.details,
        error: exception.code,
        message: exception.message,
        statusCode,
      };
    }
    return {
      error: exception instanceof FreerideError ? exception.code : 'INTERNAL',
      errorId: currentTraceId(),
      message:
        exception instanceof FreerideError
          ? exception.message
          : 'Internal server error',
      statusCode,
    };
  }
}
