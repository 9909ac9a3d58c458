import { ConfigValidationError } from '../config/parse-config';
import { redactUrl } from '../logging/redaction';

/**
 * The `main().catch(...)` of every app: writes why the app could not start to
 * stderr (the logger may not exist yet) and exits 1. A bad config prints its
 * `KEY: reason` lines only; anything else prints `<app> failed to start:` and
 * the stack, with credentials in quoted URLs redacted.
 */
export function exitOnStartupFailure(app: string): (err: unknown) => never {
  return (err: unknown) => {
    process.stderr.write(`${describeStartupFailure(app, err)}\n`);
    process.exit(1);
  };
}

/** The line {@link exitOnStartupFailure} writes. */
export function describeStartupFailure(app: string, err: unknown): string {
  if (err instanceof ConfigValidationError) return err.message;
  const detail =
    err instanceof Error ? (err.stack ?? err.message) : String(err);
  // A failed connection often quotes its URL, credentials included.
  return `${app} failed to start: ${redactUrl(detail)}`;
}
