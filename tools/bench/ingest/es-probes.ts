/** How bench:ingest sees what reached Elasticsearch: counts, latency, exactly-once. */
import type { Client } from '@elastic/elasticsearch';

/** Documents searchable now (no forced refresh: the 1 s refresh applies to every path alike). */
export async function searchableCount(
  es: Client,
  index: string,
): Promise<number> {
  try {
    return (
      await es.count({
        allow_no_indices: true,
        ignore_unavailable: true,
        index,
      })
    ).count;
  } catch {
    return 0;
  }
}

/** Polls until `index` holds `total` searchable documents; resolves with when that was seen. */
export async function untilSearchable(
  es: Client,
  index: string,
  total: number,
  timeoutMs = 900_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await searchableCount(es, index)) >= total) return performance.now();
    if (Date.now() > deadline)
      throw new Error(`${index}: ${total} documents not searchable in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until Elasticsearch is quiet: no merge running and under
 * `idleShare` of one core busy over a second, twice in a row (at most
 * `timeoutMs`). Merges of what the previous path (or the warm-up) wrote
 * go on for seconds after it is searchable; without this wait, whichever
 * path runs next pays for them.
 * @returns how long it waited, ms
 */
export async function untilQuiet(
  es: Client,
  idleShare = 0.1,
  timeoutMs = 60_000,
): Promise<number> {
  const started = performance.now();
  const sample = async () => {
    const res = await es.nodes.stats({
      filter_path: [
        'nodes.*.process.cpu.total_in_millis',
        'nodes.*.indices.merges.current',
      ],
      metric: ['process', 'indices'],
    });
    let cpu = 0;
    let merges = 0;
    for (const node of Object.values(res.nodes ?? {})) {
      cpu += node.process?.cpu?.total_in_millis ?? 0;
      merges += node.indices?.merges?.current ?? 0;
    }
    return { cpu, merges };
  };
  let quiet = 0;
  let last = await sample();
  while (quiet < 2 && performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await sample();
    const busy = (now.cpu - last.cpu) / 1_000;
    quiet = now.merges === 0 && busy < idleShare ? quiet + 1 : 0;
    last = now;
  }
  return Math.round(performance.now() - started);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/**
 * Sent → searchable latency: `send(marker)` sends one small batch whose
 * service.name is `marker`, every `everyMs`; a poller finds each marker.
 * @returns latencies in ms, sorted
 */
export async function measureLatency(
  es: Client,
  index: string,
  field: string,
  samples: number,
  everyMs: number,
  marker: (i: number) => string,
  send: (marker: string) => Promise<void>,
): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let sending = true;
  const poller = (async () => {
    const deadline = Date.now() + 120_000;
    while ((sending || sentAt.size > 0) && Date.now() < deadline) {
      const waiting = [...sentAt.keys()];
      if (waiting.length > 0) {
        const res = await es
          .search({
            aggs: { m: { terms: { field, size: 1000 } } },
            allow_no_indices: true,
            ignore_unavailable: true,
            index,
            query: { terms: { [field]: waiting } },
            size: 0,
          })
          .catch(() => undefined);
        const now = performance.now();
        const buckets =
          (
            res?.aggregations?.['m'] as
              { buckets: { key: string }[] } | undefined
          )?.buckets ?? [];
        for (const b of buckets) {
          const t = sentAt.get(b.key);
          if (t !== undefined) {
            latencies.push(now - t);
            sentAt.delete(b.key);
          }
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  for (let i = 0; i < samples; i++) {
    const m = marker(i);
    sentAt.set(m, performance.now());
    await send(m);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  sending = false;
  await poller;
  return latencies.sort((a, b) => a - b);
}

/**
 * Every trace id (in `field`) of `index` with its number of documents
 * (composite aggregation, exact).
 */
export async function traceIdCounts(
  es: Client,
  index: string,
  field: string,
): Promise<Map<string, number>> {
  await es.indices.refresh({
    allow_no_indices: true,
    expand_wildcards: 'all',
    ignore_unavailable: true,
    index,
  });
  const counts = new Map<string, number>();
  let after: Record<string, string> | undefined;
  for (;;) {
    const res = await es.search({
      aggs: {
        ids: {
          composite: {
            after,
            size: 10_000,
            sources: [{ id: { terms: { field } } }],
          },
        },
      },
      allow_no_indices: true,
      ignore_unavailable: true,
      index,
      size: 0,
    });
    const agg = res.aggregations?.['ids'] as
      | {
          after_key?: Record<string, string>;
          buckets: { doc_count: number; key: { id: string } }[];
        }
      | undefined;
    if (!agg || agg.buckets.length === 0) return counts;
    for (const b of agg.buckets) counts.set(b.key.id, b.doc_count);
    after = agg.after_key;
    if (!after) return counts;
  }
}
