import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * When set (tools/test-all.sh sets it for the e2e phase), every process
 * started through `startProcess` leaves two traces for the secrets scan
 * (tools/security-audit): the secret values of its environment in
 * `<dir>/secrets.txt`, and a copy of its log in `<dir>/logs/` when it exits
 * (harnesses delete their temp dirs).
 */
export const AUDIT_DIR_ENV = 'FREERIDE_E2E_AUDIT_DIR';

/** Environment variables whose values are credentials. */
// (Not STREAM_KEYS, RATE_LIMIT_PER_KEY...: names, not credentials.)
const SECRET_NAME = /(TOKENS?|SECRET|PASSWORD|API_KEYS?|CLIENT_KEYS|_URL)$/;

/** The credential values of one environment (URLs: only their password). */
export function secretValues(
  env: Record<string, string | undefined>,
): string[] {
  const out = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || !SECRET_NAME.test(name)) continue;
    if (name.endsWith('_URL')) {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password) out.add(password);
      } catch {
        // Not a URL: nothing to record.
      }
      continue;
    }
    // Lists: `a,b` and `source=token,source2=token2`.
    for (const part of value.split(',')) {
      const token = part.includes('=')
        ? part.slice(part.indexOf('=') + 1)
        : part;
      if (token.trim()) out.add(token.trim());
    }
  }
  return [...out];
}

/** Records the secrets of a started process (no-op without the audit dir). */
export function auditProcessStart(
  env: Record<string, string | undefined>,
): void {
  const dir = process.env[AUDIT_DIR_ENV];
  if (!dir) return;
  const values = secretValues(env);
  if (values.length === 0) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(
    join(dir, 'secrets.txt'),
    values.map((v) => `${v}\n`).join(''),
    {
      mode: 0o600,
    },
  );
}

/** Keeps a copy of an exited process's log (no-op without the audit dir). */
export function auditProcessLog(
  name: string,
  pid: number,
  logFile: string,
): void {
  const dir = process.env[AUDIT_DIR_ENV];
  if (!dir) return;
  try {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    copyFileSync(
      logFile,
      join(dir, 'logs', `${name}-${pid}-${basename(logFile)}`),
    );
  } catch {
    // The log is gone already: nothing to keep.
  }
}
