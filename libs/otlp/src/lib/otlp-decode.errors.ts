import { FreerideError } from '@freeride/contracts';

/**
 * Structured fields of an {@link OtlpDecodeError}.
 * @see https://opentelemetry.io/docs/specs/otlp/#bad-data
 */
export interface OtlpDecodeErrorDetails {
  /** `protobuf` or `json`. */
  encoding: string;
  /** Path of the offending field, e.g. `resourceLogs[0].scopeLogs[1].logRecords[3].traceId`. */
  path?: string;
  /** `logs`, `traces` or `metrics`. */
  signal: string;
}

/**
 * The request body is not a valid OTLP export request. The ingest answers
 * `400 Bad Request` with a `google.rpc.Status` body and the sender must not
 * retry.
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#failures-1
 */
export class OtlpDecodeError extends FreerideError {
  declare readonly details: OtlpDecodeErrorDetails & Record<string, unknown>;

  constructor(
    message: string,
    details: OtlpDecodeErrorDetails,
    options: { cause?: unknown } = {},
  ) {
    super(message, {
      cause: options.cause,
      code: 'OTLP_DECODE_ERROR',
      details: { ...details },
      httpStatus: 400,
    });
  }
}
