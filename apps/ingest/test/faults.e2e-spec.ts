import {
  type RedisServer,
  ensureElasticsearch,
  startElasticsearch,
  startRedis,
  stopElasticsearch,
  waitFor,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';

import {
  IngestProcess,
  TOKENS,
  uniqueNamespace,
} from './support/ingest-harness';
import { logsRequest } from './support/otlp-builders';

/**
 * A steady sender: every `intervalMs` it posts `perBatch` records with
 * increasing sequence numbers and remembers which ones were acknowledged
 * (200). Bounded: it stops when told to.
 */
class SteadySender {
  readonly acked = new Set<number>();
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
          if (res.status === 200) seqs.forEach((s) => this.acked.add(s));
        } catch {
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

async function indexedSeqs(
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

async function expectExactlyOnce(
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

describe('ingest fault tolerance', () => {
  let es: Client;
  let esUrl: string;
  let redis: RedisServer;

  beforeAll(async () => {
    esUrl = (await ensureElasticsearch()).url;
    es = new Client({ node: esUrl });
    redis = await startRedis({ extraArgs: ['--appendfsync', 'always'] });
  });

  afterAll(async () => {
    await startElasticsearch({ url: esUrl });
    await redis?.stop();
    await es?.close();
  });

  // Elasticsearch alone can take minutes to restart on a busy machine: a longer budget.
  it('indexes every acknowledged record exactly once after Elasticsearch is stopped for 60 s', async () => {
    const namespace = uniqueNamespace('esdown');
    const ingest = new IngestProcess({ esUrl, namespace, redisUrl: redis.url });
    await ingest.start();
    const sender = new SteadySender(() => ingest.url, 'steady-es');
    try {
      sender.start();
      await new Promise((r) => setTimeout(r, 5_000));
      await stopElasticsearch({ url: esUrl });
      const ackedBeforeOutage = sender.acked.size;
      await new Promise((r) => setTimeout(r, 60_000));
      // The ingest kept acknowledging into the durable stream during the outage.
      expect(sender.acked.size).toBeGreaterThan(ackedBeforeOutage);
      await startElasticsearch({ url: esUrl });
      await new Promise((r) => setTimeout(r, 5_000));
      await sender.stop();
      await expectExactlyOnce(es, namespace, 'steady-es', sender.acked);
    } finally {
      await sender.stop();
      await ingest.stop();
    }
  }, 600_000);

  it('loses no acknowledged record when the ingest is killed with SIGKILL mid-stream', async () => {
    const namespace = uniqueNamespace('kill');
    const ingest = new IngestProcess({ esUrl, namespace, redisUrl: redis.url });
    await ingest.start();
    const sender = new SteadySender(() => ingest.url, 'steady-kill', 50, 10);
    try {
      sender.start();
      await new Promise((r) => setTimeout(r, 3_000));
      await ingest.kill();
      const ackedAtKill = sender.acked.size;
      expect(ackedAtKill).toBeGreaterThan(0);
      await ingest.start();
      await new Promise((r) => setTimeout(r, 3_000));
      await sender.stop();
      expect(sender.acked.size).toBeGreaterThan(ackedAtKill);
      await expectExactlyOnce(es, namespace, 'steady-kill', sender.acked);
    } finally {
      await sender.stop();
      await ingest.stop();
    }
  });
});
