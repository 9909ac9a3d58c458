import { waitFor } from '@freeride/testing';

import type { Client } from '@elastic/elasticsearch';

import { TOKENS } from './ingest-harness';
import { logsRequest } from './otlp-builders';

/**
 * A steady sender: every `intervalMs` it posts `perBatch` records with
 * increasing sequence numbers and remembers which ones were acknowledged
 * (200). Bounded: it stops when told to.
 */
export class SteadySender {
  readonly acked = new Set<number>();
  /** Answers by HTTP status (0: no answer). */
  readonly statuses = new Map<number, number>();
  private seq = 0;
  private running = true;
  private loop?: Promise<void>;

  constructor(
    private readonly target: () => string,
    private readonly service: string,
    private readonly intervalMs = 200,
    private readonly perBatch = 5,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        const seqs = Array.from({ length: this.perBatch }, () => this.seq++);
        const body = JSON.stringify(
          logsRequest(
            this.service,
            seqs.map((s) => ({
              attributes: { seq: String(s) },
              body: 'steady record',
              timeMs: 1_700_000_000_000 + s,
            })),
          ),
        );
        try {
          const res = await fetch(`${this.target()}/v1/logs`, {
            body,
            headers: {
              authorization: `Bearer ${TOKENS.python}`,
              'content-type': 'application/json',
            },
            method: 'POST',
            signal: AbortSignal.timeout(5_000),
          });
          this.statuses.set(
            res.status,
            (this.statuses.get(res.status) ?? 0) + 1,
          );
          if (res.status === 200) seqs.forEach((s) => this.acked.add(s));
        } catch {
          this.statuses.set(0, (this.statuses.get(0) ?? 0) + 1);
          // Not acknowledged (ingest down or timed out): the sender would retry; we just don't count it.
        }
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export async function indexedSeqs(
  es: Client,
  namespace: string,
  service: string,
): Promise<number[]> {
  await es.indices.refresh({
    expand_wildcards: 'all',
    ignore_unavailable: true,
    index: `logs-*-${namespace}`,
  });
  const res = await es.search<{ otel: { attributes: { seq: string } } }>({
    _source: ['otel.attributes.seq'],
    ignore_unavailable: true,
    index: `logs-*-${namespace}`,
    q: `service.name:${service}`,
    size: 10_000,
  });
  return res.hits.hits.map((h) => Number(h._source?.otel.attributes.seq));
}

export async function expectExactlyOnce(
  es: Client,
  namespace: string,
  service: string,
  acked: Set<number>,
): Promise<void> {
  let seqs: number[] = [];
  await waitFor(
    async () => {
      seqs = await indexedSeqs(es, namespace, service);
      return [...acked].every((s) => seqs.includes(s));
    },
    {
      description: `all ${acked.size} acknowledged records indexed`,
      intervalMs: 1_000,
      timeoutMs: 150_000,
    },
  );
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  const duplicated = [...counts].filter(([, n]) => n > 1);
  expect(duplicated).toEqual([]);
  expect([...acked].filter((s) => !counts.has(s))).toEqual([]);
}
