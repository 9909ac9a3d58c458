/** Options of a {@link FreerideError}. */
export interface FreerideErrorOptions {
  /** The original error, kept for logs and traces. */
  cause?: unknown;
  /** A stable machine-readable code, e.g. `PROVIDER_UNAVAILABLE`. */
  code?: string;
  /** Structured fields (provider, symbol, retryAfterMs...). Never secrets. */
  details?: Record<string, unknown>;
  /**
   * The HTTP status the global exception filter answers with.
   * @default 500
   */
  httpStatus?: number;
}

/**
 * Base class of the platform's domain errors. Core libs throw subclasses;
 * the global exception filter of `@freeride/observability` maps them to
 * `httpStatus` and a stable body without knowing each subclass.
 */
export class FreerideError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly httpStatus: number;

  constructor(message: string, options: FreerideErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'INTERNAL';
    this.details = options.details ?? {};
    this.httpStatus = options.httpStatus ?? 500;
  }
}
