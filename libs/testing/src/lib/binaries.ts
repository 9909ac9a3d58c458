import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { MissingBinaryError } from './missing-binary.error';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the first of `names` that is an executable on `PATH` or in `extraDirs`.
 *
 * @param names candidate executable names, best first (`['prometheus-alertmanager', 'alertmanager']`)
 * @param debianPackage package named in the error when none is found
 * @param extraDirs directories searched before `PATH`
 * @throws MissingBinaryError when none of the names is found
 */
export function findBinary(
  names: readonly string[],
  debianPackage: string,
  extraDirs: readonly string[] = [],
): string {
  const dirs = [
    ...extraDirs,
    ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/usr/local/bin',
  ];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  throw new MissingBinaryError(names.join(' or '), debianPackage);
}

/**
 * The `bin` directory of the newest PostgreSQL under /usr/lib/postgresql (Debian layout),
 * or undefined when there is none.
 */
export function postgresBinDir(): string | undefined {
  let versions: string[];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return undefined;
  }
  const newest = versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join('/usr/lib/postgresql', v, 'bin'))
    .find((dir) => isExecutable(join(dir, 'postgres')));
  return newest;
}
