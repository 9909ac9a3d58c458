import { FreerideError } from '@freeride/contracts';
import {
  BackPressureError,
  StreamUnavailableError,
} from '@freeride/ingest-delivery';
import { statusOf } from '@freeride/observability';
import { OtlpDecodeError, encodeStatus } from '@freeride/otlp';

import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';

import { OTLP_SIGNALS } from './ingest-streams';
import { OtlpRequestError } from './otlp.errors';
import { OtlpMetrics } from './otlp.metrics';

/** google.rpc.Code values used in OTLP/HTTP failure bodies. */
const RPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 3,
  415: 3,
  429: 8, // RESOURCE_EXHAUSTED
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

function reasonOf(err: unknown): string {
  if (err instanceof OtlpRequestError) return err.reason;
  if (err instanceof OtlpDecodeError) return 'bad_request';
  if (err instanceof BackPressureError) return 'back_pressure';
  if (err instanceof StreamUnavailableError) return 'unavailable';
  if (err instanceof HttpException && err.getStatus() < 500)
    return 'bad_request';
  return 'internal';
}

/**
 * Maps every failure of an OTLP export to the OTLP/HTTP response rules: a
 * `google.rpc.Status` body in the request's encoding, 400 for a bad
 * payload (never retried by the sender), 429/503 with `Retry-After` for
 * back-pressure and an unavailable stream (retryable), 401/413/415 for the
 * request itself.
 * @see https://opentelemetry.io/docs/specs/otlp/#failures-1
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling
 */
@Catch()
export class OtlpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(OtlpExceptionFilter.name);

  constructor(private readonly metrics: OtlpMetrics) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const status = statusOf(exception);
    const known =
      exception instanceof FreerideError || exception instanceof HttpException;
    const message = known
      ? (exception as Error).message
      : 'internal error; the request was not accepted';
    // Never a label value taken from the request: the path is the sender's input.
    const param = String(req.params?.['signal'] ?? '');
    const signal = OTLP_SIGNALS.has(param) ? param : 'unknown';
    const reason = reasonOf(exception);
    this.metrics.rejected.inc({ reason, signal });
    if (status >= 500 && !(exception instanceof StreamUnavailableError)) {
      this.logger.error({ err: exception, signal }, 'otlp export failed');
    } else {
      this.logger.warn(
        { reason, signal, status, 'error.message': message },
        'otlp export rejected',
      );
    }
    if (
      exception instanceof BackPressureError ||
      exception instanceof StreamUnavailableError
    ) {
      res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    const json = !/x-protobuf/i.test(String(req.headers['content-type'] ?? ''));
    res
      .status(status)
      .setHeader(
        'Content-Type',
        json ? 'application/json' : 'application/x-protobuf',
      );
    if (status === 413) res.setHeader('Connection', 'close');
    res.end(
      Buffer.from(
        encodeStatus(
          json ? 'json' : 'protobuf',
          RPC_CODE[status] ?? 2,
          message,
        ),
      ),
    );
  }
}
