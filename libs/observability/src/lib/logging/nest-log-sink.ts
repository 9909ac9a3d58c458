import type { LogSink } from '@freeride/contracts';

/** The part of a Nest logger (`Logger` of `@nestjs/common`) that {@link nestLogSink} calls. */
export interface NestLogger {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
  log(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Lets framework-free code log through a Nest (pino) logger: fields first,
 * fixed message second, so the fields become ECS fields of the line.
 */
export function nestLogSink(logger: NestLogger): LogSink {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    error: (fields, message) => logger.error(fields, message),
    info: (fields, message) => logger.log(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
  };
}
