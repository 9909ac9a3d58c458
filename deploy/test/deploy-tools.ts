import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Root of the repository. */
export const ROOT = resolve(__dirname, '../..');

/** The four apps that ship as images. */
export const APPS = ['anomaly', 'ingest', 'market-gateway', 'trading'] as const;

const CACHE =
  process.env['FREERIDE_CACHE'] ?? join(homedir(), '.cache/freeride');

/**
 * The validation tools tools/setup/setup.sh installs: docker-compose (Debian), helm
 * (Go modules), hadolint and kubernetes-validate (PyPI) under $FREERIDE_CACHE/tools.
 */
export function tool(
  name: 'docker-compose' | 'hadolint' | 'helm' | 'kubernetes-validate',
): string {
  const candidates = {
    'docker-compose': ['/usr/bin/docker-compose'],
    hadolint: [join(CACHE, 'tools/venv/bin/hadolint')],
    helm: [join(CACHE, 'tools/bin/helm')],
    'kubernetes-validate': [join(CACHE, 'tools/venv/bin/kubernetes-validate')],
  }[name];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  throw new Error(
    `${name} is not installed (${candidates.join(', ')}): run bash tools/setup/setup.sh`,
  );
}

/** Runs a tool from the repo root; returns its result (never throws on exit status). */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: options.input,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** Output of a tool that must succeed. */
export function runOk(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): string {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}
