import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The release version of the running code: `version` of the nearest
 * `package.json` at or above `from`. A built app finds the one its build
 * writes next to `main.js` (the root package.json's version, which
 * `nx release` bumps; an image keeps that file too), and a run from source
 * finds the workspace's own, so `service.version` of telemetry and logs and
 * the `/docs` version of every app come from one place and never drift.
 * @param from directory to start at. @default this module's directory (the bundle's, once built)
 * @returns `0.0.0` when no `package.json` with a version is found
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const { version } = JSON.parse(readFileSync(file, 'utf8')) as {
        version?: unknown;
      };
      if (typeof version === 'string') return version;
    }
    if (dirname(dir) === dir) return '0.0.0';
  }
}
