import { spawnSync } from 'node:child_process';

import { findBinary } from './binaries';
import { REPO_ROOT } from './testing.constants';

/** What one promtool run printed (stdout then stderr) and its exit status. */
export interface PromtoolResult {
  readonly output: string;
  readonly status: number | null;
}

/**
 * Runs Prometheus' `promtool` (Debian package `prometheus`) from the repository root, e.g.
 * `promtool('check', 'rules', 'observability/prometheus/rules/x.rules.yml')`.
 */
export function promtool(...args: string[]): PromtoolResult {
  const result = spawnSync(findBinary(['promtool'], 'prometheus'), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}
