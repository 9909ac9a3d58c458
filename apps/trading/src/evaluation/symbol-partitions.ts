import { partitionOf } from '@freeride/contracts';

/** Whether this instance evaluates `symbol` (its partition is one of `own`). */
export function ownsSymbol(
  symbol: string,
  partitions: { count: number; own: readonly number[] },
): boolean {
  if (partitions.count === 1) return true;
  return partitions.own.includes(partitionOf(symbol, partitions.count));
}
