// The paging path lives in @freeride/testing (the scale e2e uses it too).
export { startPagingPath } from './testing';
export type { PagingPath } from './testing';

/** Deletes a test's data stream; a missing one is fine. */
export async function deleteDataStream(
  esUrl: string,
  name: string,
): Promise<void> {
  await fetch(`${esUrl}/_data_stream/${name}`, { method: 'DELETE' }).catch(
    () => undefined,
  );
}
