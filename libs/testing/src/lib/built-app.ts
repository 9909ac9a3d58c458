import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './testing.constants';

/** The apps that have a production build (`npx nx run <app>:build`). */
export const BUILT_APPS = [
  'anomaly',
  'ingest',
  'market-gateway',
  'trading',
] as const;

/** One of {@link BUILT_APPS}. */
export type BuiltApp = (typeof BUILT_APPS)[number];

/** How to start a built app: `command` with `args`, from `cwd`. */
export interface BuiltAppCommand {
  args: string[];
  command: string;
  cwd: string;
}

/** Thrown when an app's production build is missing. */
export class MissingBuildError extends Error {
  constructor(
    readonly app: string,
    readonly entry: string,
  ) {
    super(
      `${entry} does not exist: build the app first (npx nx run ${app}:build; ` +
        `the e2e targets depend on it)`,
    );
    this.name = 'MissingBuildError';
  }
}

/**
 * The one way tests, the stack scripts and the benchmarks start an app: the production
 * build `dist/apps/<app>/main.js` under plain `node` (the Node running the caller), with
 * source maps for stack traces. What is tested is what ships.
 *
 * `distRoot` overrides where the builds are (default `<repo>/dist/apps`); `cwd` is the
 * repository unless given, so that a rebuild (which replaces `dist/apps/<app>`) cannot pull
 * the working directory from under a running app. The deploy e2e test starts each app from
 * a directory laid out as its image instead.
 */
export function builtAppCommand(
  app: BuiltApp,
  options: { cwd?: string; distRoot?: string } = {},
): BuiltAppCommand {
  const dir = join(options.distRoot ?? join(REPO_ROOT, 'dist/apps'), app);
  const entry = join(dir, 'main.js');
  if (!existsSync(entry)) throw new MissingBuildError(app, entry);
  return {
    args: ['--enable-source-maps', entry],
    command: process.execPath,
    cwd: options.cwd ?? REPO_ROOT,
  };
}
