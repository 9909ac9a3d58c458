import type { LogSink } from '@freeride/contracts';

import type { Logger } from '@nestjs/common';

/** Lets framework-free code log through a Nest (pino) logger: fields first, fixed message second. */
export function nestLogSink(logger: Logger): LogSink {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    error: (fields, message) => logger.error(fields, message),
    info: (fields, message) => logger.log(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
  };
}
