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
 * Whether a quote stream entry (field/value pairs as read) may be this
 * instance's, from its `symbol` field, before its payload is parsed: false
 * only for an entry naming a symbol of another instance's partition.
 */
export function mayOwnEntry(
  fields: readonly string[],
  partitions: { count: number; own: readonly number[] },
): boolean {
  if (partitions.count === 1) return true;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'symbol') return ownsSymbol(fields[i + 1], partitions);
  }
  return true;
}
