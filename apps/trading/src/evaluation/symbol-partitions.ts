import { partitionOf } from '@freeride/contracts';

/**
 * Checkpoint key of one symbol partition when partitions are taken by
 * leases: whoever owns the partition resumes from it.
 */
export function partitionCheckpointKey(
  stream: string,
  partition: number,
  count: number,
): string {
  return `${stream}#p${partition}/${count}`;
}

/** Whether this instance evaluates `symbol` (its partition is one of `own`). */
export function ownsSymbol(
  symbol: string,
  partitions: { count: number; own: readonly number[] },
): boolean {
  if (partitions.count === 1) return true;
  return partitions.own.includes(partitionOf(symbol, partitions.count));
}

/**
 * The `symbol` field of a quote stream entry (field/value pairs as read),
 * if it has one: enough to tell whose partition the entry is before its
 * payload is parsed.
 */
export function entrySymbol(fields: readonly string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'symbol') return fields[i + 1];
  }
  return undefined;
}
