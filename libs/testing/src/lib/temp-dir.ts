import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pending = new Set<string>();
let hooked = false;

function removeAllSync(): void {
  for (const dir of pending) {
    rmSync(dir, { force: true, maxRetries: 2, recursive: true });
  }
  pending.clear();
}

/**
 * Creates a fresh directory under the OS temp dir that is removed when the process exits
 * (or earlier through {@link removeTempDir}).
 *
 * @param prefix name prefix, e.g. `'freeride-redis-'`
 * @param owner uid/gid to chown the directory to (PostgreSQL refuses to run as root)
 */
export function makeTempDir(
  prefix: string,
  owner?: { gid: number; uid: number },
): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
  }
  pending.add(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', removeAllSync);
  }
  return dir;
}

/** Removes a directory made by {@link makeTempDir} now. */
export function removeTempDir(dir: string): void {
  pending.delete(dir);
  rmSync(dir, { force: true, maxRetries: 2, recursive: true });
}
