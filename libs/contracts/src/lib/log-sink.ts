/**
 * The logging surface a core lib may use. A pino logger satisfies it, so
 * framework-free code logs through the app's logger without depending on it.
 * Messages are fixed strings; values go in `fields` (log-pattern mining relies on it).
 */
export interface LogSink {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A {@link LogSink} that discards everything (for tools and pure tests). */
export const NOOP_LOG_SINK: LogSink = {
  debug: () => undefined,
  error: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
