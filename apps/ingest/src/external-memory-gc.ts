import { setFlagsFromString } from 'node:v8';

/**
 * The ingest allocates about 2 MB of Buffers per 500 records (the request
 * body, its `_bulk` lines, the stream entries read back, each `_bulk`
 * request). By default V8 starts a full mark-compact of the whole JS heap
 * whenever such external memory has grown 64 MiB since the last one: under
 * load that is several times a second, each marking the ~70 MB of module
 * code the process holds, for Buffers a scavenge-sized heap would free
 * anyway. With `--external-memory-accounted-in-global-limit`, external
 * memory counts toward V8's global allocation limit instead, which grows
 * with the heap like every other limit; V8 later made this its default
 * and removed the flag (V8 513bb22991, chromium bug 361124432).
 *
 * Set at start, before the first collection that computes limits. On a
 * Node whose V8 no longer knows the flag, V8 prints "unrecognized flag"
 * once and the behaviour is its default, the same one.
 */
export function countExternalMemoryInGlobalLimit(enabled: boolean): void {
  if (enabled)
    setFlagsFromString('--external-memory-accounted-in-global-limit');
}
