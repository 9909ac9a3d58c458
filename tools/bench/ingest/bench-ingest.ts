/**
 * npm run bench:ingest [-- --records 100000 --batch 500 --concurrency 4 --json FILE]
 *
 * OTLP protobuf log batches → ingest (real process) → Redis stream → indexer
 * → Elasticsearch, against the official bulk helper writing the same ECS
 * documents straight to Elasticsearch, in one run on the same machine.
 * Prints documents per second for both, their ratio, and sent → searchable
 * latency p50/p99 through the ingest.
 */
import {
  decodeOtlpRequest,
  encodeOtlpRequest,
  toEcsDocuments,
} from '@freeride/otlp';
import {
  ensureElasticsearch,
  getFreePort,
  makeTempDir,
  startProcess,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RECORDS = Number(args.get('records') ?? 100_000);
const BATCH = Number(args.get('batch') ?? 500);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const LATENCY_SAMPLES = Number(args.get('latency-samples') ?? 60);
const JSON_OUT = args.get('json');
const REPO = resolve(__dirname, '../../..');
const TOKEN = 'bench-token-0123456789abcdef';

const out = (line = '') => process.stdout.write(`${line}\n`);
const hex = (n: number) => randomBytes(n).toString('hex');
const LEVELS: [number, string][] = [
  [9, 'INFO'],
  [9, 'INFO'],
  [9, 'INFO'],
  [13, 'WARN'],
  [17, 'ERROR'],
];

function batchRequest(batchNo: number, marker: string): object {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            {
              key: 'service.name',
              value: { stringValue: `bench-svc-${batchNo % 8}` },
            },
            { key: 'service.version', value: { stringValue: '1.4.2' } },
            { key: 'host.name', value: { stringValue: 'bench-host' } },
          ],
        },
        scopeLogs: [
          {
            logRecords: Array.from({ length: BATCH }, (_, i) => {
              const [severityNumber, severityText] = LEVELS[i % LEVELS.length];
              return {
                attributes: [
                  { key: 'bench.marker', value: { stringValue: marker } },
                  { key: 'http.request.method', value: { stringValue: 'GET' } },
                  {
                    key: 'url.path',
                    value: { stringValue: `/v1/quotes/SYM${i % 50}` },
                  },
                  {
                    key: 'http.response.status_code',
                    value: { intValue: String(200 + (i % 5)) },
                  },
                ],
                body: {
                  stringValue: `quote fetched for symbol SYM${i % 50} in ${i % 97} ms from provider finnhub (batch ${batchNo}, record ${i})`,
                },
                severityNumber,
                severityText,
                spanId: hex(8),
                timeUnixNano: String(now + BigInt(i)),
                traceId: hex(16),
              };
            }),
            scope: { name: 'bench' },
          },
        ],
      },
    ],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function count(es: Client, index: string): Promise<number> {
  await es.indices.refresh({
    allow_no_indices: true,
    expand_wildcards: 'all',
    ignore_unavailable: true,
    index,
  });
  return (
    await es.count({ allow_no_indices: true, ignore_unavailable: true, index })
  ).count;
}

async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function main(): Promise<void> {
  const batches = Math.ceil(RECORDS / BATCH);
  const total = batches * BATCH;
  const run = Date.now().toString(36);
  out(
    `bench:ingest — ${total} log records in ${batches} OTLP protobuf batches of ${BATCH}, ${CONCURRENCY} concurrent senders`,
  );
  const { url: esUrl } = await ensureElasticsearch();
  const es = new Client({ node: esUrl });

  out('generating payloads...');
  const bodies = Array.from({ length: batches }, (_, b) =>
    Buffer.from(encodeOtlpRequest('logs', batchRequest(b, `t${run}`))),
  );
  const bytes = bodies.reduce((n, b) => n + b.length, 0);

  // Warm Elasticsearch up first (JIT, caches), so the baseline, which runs
  // first, is not measured on a cold node and the ratio is not flattered.
  out('warming Elasticsearch up...');
  await es.helpers.bulk({
    concurrency: 2,
    datasource: bodies
      .slice(0, Math.max(1, Math.floor(batches / 5)))
      .flatMap((body) =>
        toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
          namespace: `benchwarm${run}`,
        }),
      ),
    flushBytes: 5_000_000,
    onDocument: (d) => [{ create: { _id: d.id, _index: d.index } }, d.doc],
  });

  // Baseline: the bulk helper straight to Elasticsearch, same documents.
  const directNs = `benchdirect${run}`;
  const docs = bodies.flatMap((body) =>
    toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
      namespace: directNs,
    }),
  );
  out(`baseline: bulk helper → Elasticsearch (${docs.length} documents)...`);
  const directStart = performance.now();
  await es.helpers.bulk({
    concurrency: 2,
    datasource: docs,
    flushBytes: 5_000_000,
    onDocument: (d) => [{ create: { _id: d.id, _index: d.index } }, d.doc],
  });
  const directIndexed = await count(es, `logs-*-${directNs}`);
  const directSeconds = (performance.now() - directStart) / 1000;
  const directRate = directIndexed / directSeconds;

  out(
    'pipeline: OTLP/HTTP → ingest → Redis stream → indexer → Elasticsearch...',
  );
  const redis = await startRedis();
  const port = await getFreePort();
  const ingestNs = `benchingest${run}`;
  const ingest = await startProcess(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/ingest/src/main.ts'],
    {
      cwd: REPO,
      env: {
        ELASTICSEARCH_URL: esUrl,
        ES_NAMESPACE: ingestNs,
        FANOUT_ENABLED: 'false',
        INGEST_LOG_TO_ELASTICSEARCH: 'false',
        INGEST_PORT: String(port),
        INGEST_TOKENS: `bench=${TOKEN}`,
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        REDIS_URL: redis.url,
      },
      logFile: join(makeTempDir('bench-ingest-'), 'ingest.log'),
      name: 'ingest',
    },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await ingest.waitUntilReady(
      async () =>
        (await fetch(`${base}/health/live`).catch(() => undefined))?.ok ===
        true,
      'ingest answers',
      120_000,
    );
    const send = async (body: Buffer) => {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${base}/v1/logs`, {
          body,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/x-protobuf',
          },
          method: 'POST',
        });
        if (res.status === 200) return;
        if (res.status !== 429 && res.status !== 503)
          throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    };
    const pipeStart = performance.now();
    await pool(bodies, CONCURRENCY, send);
    const ackSeconds = (performance.now() - pipeStart) / 1000;
    // Poll the ingest's own settled-documents counter, not Elasticsearch: a
    // forced refresh every poll would slow indexing down. Then one refresh and
    // count, as for the baseline, proves the documents are searchable.
    const settled = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      let sum = 0;
      for (const m of text.matchAll(/^freeride_ingest_(?:indexed|duplicates)_total\{[^}]*signal="logs"[^}]*\} (\d+)/gm)) {
        sum += Number(m[1]);
      }
      return sum;
    };
    await waitFor(async () => (await settled()) >= total, {
      description: `${total} documents settled by the ingest's indexer`,
      intervalMs: 50,
      timeoutMs: 600_000,
    });
    let indexed = 0;
    await waitFor(
      async () => (indexed = await count(es, `logs-*-${ingestNs}`)) >= total,
      {
        description: `${total} documents indexed through the ingest`,
        intervalMs: 250,
        timeoutMs: 600_000,
      },
    );
    const pipeSeconds = (performance.now() - pipeStart) / 1000;
    const pipeRate = indexed / pipeSeconds;

    // Latency: sparse single batches, each with its own marker, until searchable.
    out(
      `latency: ${LATENCY_SAMPLES} batches, one every 250 ms, sent → searchable...`,
    );
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const poller = (async () => {
      while (latencies.length < LATENCY_SAMPLES) {
        const waiting = [...sentAt.keys()];
        if (waiting.length > 0) {
          const res = await es.search({
            aggs: {
              m: {
                terms: { field: 'otel.attributes.bench.marker', size: 1000 },
              },
            },
            index: `logs-*-${ingestNs}`,
            query: { terms: { 'otel.attributes.bench.marker': waiting } },
            size: 0,
          });
          const now = performance.now();
          for (const b of (
            res.aggregations?.['m'] as { buckets: { key: string }[] }
          ).buckets) {
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
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const marker = `lat${run}-${i}`;
      const body = Buffer.from(
        encodeOtlpRequest('logs', {
          resourceLogs: [
            (batchRequest(i, marker) as { resourceLogs: object[] })
              .resourceLogs[0],
          ],
        }),
      );
      sentAt.set(marker, performance.now());
      await send(body);
      await new Promise((r) => setTimeout(r, 250));
    }
    await Promise.race([poller, new Promise((r) => setTimeout(r, 60_000))]);
    latencies.sort((a, b) => a - b);

    const figures = {
      batchSize: BATCH,
      command: `npm run bench:ingest -- --records ${RECORDS} --batch ${BATCH} --concurrency ${CONCURRENCY}`,
      concurrency: CONCURRENCY,
      direct: {
        docs: directIndexed,
        docsPerSecond: Math.round(directRate),
        seconds: +directSeconds.toFixed(2),
      },
      ingest: {
        ackedSeconds: +ackSeconds.toFixed(2),
        docs: indexed,
        docsPerSecond: Math.round(pipeRate),
        latencyMs: {
          p50: Math.round(percentile(latencies, 50)),
          p99: Math.round(percentile(latencies, 99)),
          samples: latencies.length,
        },
        seconds: +pipeSeconds.toFixed(2),
      },
      payloadBytes: bytes,
      ratio: +(pipeRate / directRate).toFixed(3),
      records: total,
    };
    out();
    out('| path | documents | seconds | docs/s |');
    out('| --- | ---: | ---: | ---: |');
    out(
      `| bulk helper → Elasticsearch (baseline) | ${directIndexed} | ${figures.direct.seconds} | ${figures.direct.docsPerSecond} |`,
    );
    out(
      `| OTLP → ingest → Redis → indexer → Elasticsearch | ${indexed} | ${figures.ingest.seconds} | ${figures.ingest.docsPerSecond} |`,
    );
    out();
    out(
      `ratio ingest / direct: ${figures.ratio} (target ≥ 0.8); all batches acknowledged after ${figures.ingest.ackedSeconds} s`,
    );
    out(
      `sent → searchable latency: p50 ${figures.ingest.latencyMs.p50} ms, p99 ${figures.ingest.latencyMs.p99} ms (${latencies.length} samples; includes the 1 s refresh interval)`,
    );
    if (JSON_OUT) {
      writeFileSync(JSON_OUT, `${JSON.stringify(figures, null, 2)}\n`);
      out(`figures written to ${JSON_OUT}`);
    }
  } finally {
    await ingest.stop();
    await redis.stop();
    await es.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:ingest failed: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
