import type { LogLevel } from './log-anomaly.types';

/** Severity classes used by the log anomaly primitives. */
export type SeverityClass = 'debug' | 'error' | 'info' | 'warn';

const ERROR_NAMES =
  /^(?:err|error|fatal|crit|critical|alert|emerg|emergency|severe|panic|e|f)$/i;
const WARN_NAMES = /^(?:warn|warning|w)$/i;
const DEBUG_NAMES = /^(?:debug|trace|verbose|fine|finer|finest|d|v|t)$/i;

/**
 * Maps a level name or an OpenTelemetry severity number to a severity class.
 * Unknown names count as `info`.
 *
 * @param level - a level name or an OTel severity number
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber
 */
export function severityOf(level: LogLevel | undefined): SeverityClass {
  if (level === undefined) {
    return 'info';
  }
  if (typeof level === 'number') {
    return level >= 17
      ? 'error'
      : level >= 13
        ? 'warn'
        : level >= 9
          ? 'info'
          : 'debug';
  }
  const name = level.trim();
  if (ERROR_NAMES.test(name)) {
    return 'error';
  }
  if (WARN_NAMES.test(name)) {
    return 'warn';
  }
  return DEBUG_NAMES.test(name) ? 'debug' : 'info';
}
