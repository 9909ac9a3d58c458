import { type Stats, readFileSync, unwatchFile, watchFile } from 'node:fs';

/**
 * Parses API keys from a configuration value or a mounted secret file: one
 * per line or comma-separated; blank lines and `#` comments ignored.
 */
export function parseKeys(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/[\n,]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/** Reads the keys of a secret file (see {@link parseKeys}). */
export function readKeyFile(path: string): string[] {
  return parseKeys(readFileSync(path, 'utf8'));
}

/**
 * Watches a mounted secret file and calls `onChange` with its keys whenever
 * it changes (a rotated Kubernetes secret or a rewritten file), so keys can be
 * replaced without a restart. Polls with `fs.watchFile` because symlink swaps
 * of mounted secrets defeat `fs.watch`.
 * @returns a function that stops watching
 */
export function watchKeyFile(
  path: string,
  onChange: (keys: string[]) => void,
  intervalMs = 2000,
): () => void {
  const listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
    try {
      onChange(readKeyFile(path));
    } catch {
      // A half-written file is read again on the next change.
    }
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
