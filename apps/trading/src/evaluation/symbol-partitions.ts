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
