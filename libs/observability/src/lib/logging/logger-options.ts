import { ecsFormat } from '@elastic/ecs-pino-format';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';

import { REDACT_PATHS, redactUrl } from './redaction';

/** Options of the platform logger (part of `ObservabilityModule.forRoot`). */
export interface LoggerOptions {
  /**
   * Minimum level written.
   * @default 'info'
   */
  level?: string;
  /** `service.name` on every line. */
  serviceName: string;
  /** `service.version` on every line. */
  serviceVersion?: string;
  /**
   * Where lines go. The ingest passes a multistream with pino-elasticsearch.
   * @default stdout
   */
  stream?: DestinationStream;
}

const QUIET_ROUTES = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Redacts credentials from the ECS `error.message` and `error.stack_trace` of
 * a line: an error message often quotes the URL it failed on.
 */
function redactErrorText(
  line: Record<string, unknown>,
): Record<string, unknown> {
  const error = line['error'];
  if (error !== null && typeof error === 'object') {
    const fields = error as Record<string, unknown>;
    for (const key of ['message', 'stack_trace']) {
      const text = fields[key];
      if (typeof text === 'string') fields[key] = redactUrl(text);
    }
  }
  return line;
}

/**
 * pino-http options producing ECS lines: `@timestamp`, `log.level`,
 * `message`, `service.*`, `trace.id`/`span.id` (added by the OTel pino
 * instrumentation), `http.*` and `url.path` for requests, with credentials
 * redacted (headers and token fields, and URLs in request lines and in error
 * text) and no request lines for `/health*` and `/metrics`.
 * @see https://www.elastic.co/guide/en/ecs-logging/nodejs/current/pino.html
 */
export function buildPinoHttpOptions(options: LoggerOptions): Options {
  const ecs = ecsFormat({
    apmIntegration: false,
    convertErr: true,
    convertReqRes: false,
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion,
  });
  const ecsLog = ecs.formatters?.log;
  return {
    ...ecs,
    formatters: {
      ...ecs.formatters,
      log: (line: Record<string, unknown>) =>
        redactErrorText(ecsLog ? ecsLog(line) : line),
    },
    autoLogging: {
      ignore: (req: IncomingMessage) => QUIET_ROUTES.test(req.url ?? ''),
    },
    customAttributeKeys: { responseTime: 'event.duration_ms' },
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    level: options.level ?? 'info',
    redact: { censor: '[REDACTED]', paths: REDACT_PATHS },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url ?? ''),
        'user_agent.original': req.headers['user-agent'],
      }),
      res: (res: ServerResponse) => ({ status_code: res.statusCode }),
    },
    ...(options.stream ? { stream: options.stream } : {}),
  };
}
