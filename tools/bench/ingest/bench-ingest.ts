/**
 * npm run bench:ingest [-- --records 100000 --batch 500 --concurrency 4
 *   --runs 1 --fault on|off|only --es-url http://127.0.0.1:9261 --json FILE]
 *
 * The same OTLP protobuf log batches, in one run on the same machine, through:
 * 1. direct bulk: the official bulk helper writing the already-mapped ECS
 *    documents straight to Elasticsearch (the limit);
 * 2. the OpenTelemetry Collector (OTLP receiver → batch processor → contrib
 *    Elasticsearch exporter), built by tools/bench/peers/build-otelcol.sh;
 * 3. our ingest → Redis stream → indexer → Elasticsearch.
 * For each: documents per second until all are searchable, the ratio to
 * direct bulk, and sent → searchable latency p50/p99.
 *
 * Then the fault, side by side: the same steady stream while Elasticsearch
 * is stopped for 30 s; acknowledged vs indexed (missing, duplicated) records
 * for the Collector with its in-memory queue, with its persistent file
 * queue, and for our ingest.
 *
 * It uses its own Elasticsearch (default port 9261, started if needed),
 * never the shared one on 9200: the fault stops it.
 */
import { decodeOtlpRequest, toEcsDocuments } from '@freeride/otlp';
import {
  elasticsearchAnswers,
  startElasticsearch,
  stopElasticsearch,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import {
  measureLatency,
  percentile,
  searchableCount,
  traceIdCounts,
  untilSearchable,
} from './es-probes';
import {
  type Receiver,
  otelcolBinary,
  startCollector,
  startIngest,
} from './peers';
import { logsBody, postOtlp, sendAll } from './workload';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RECORDS = Number(args.get('records') ?? 100_000);
const BATCH = Number(args.get('batch') ?? 500);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const RUNS = Number(args.get('runs') ?? 1);
const FAULT = args.get('fault') ?? 'on';
const LATENCY_SAMPLES = Number(args.get('latency-samples') ?? 40);
const ES_URL = args.get('es-url') ?? 'http://127.0.0.1:9261';
const JSON_OUT = args.get('json');
const FAULT_SECONDS = Number(args.get('fault-seconds') ?? 30);

const out = (line = '') => process.stdout.write(`${line}\n`);

interface PathFigures {
  docs: number;
  docsPerSecond: number;
  latencyMs: { p50: number; p99: number; samples: number };
  ratio: number;
  seconds: number;
}

interface FaultFigures {
  acknowledged: number;
  duplicated: number;
  indexed: number;
  missing: number;
  refused: number;
  outageSeconds: number;
}

const PATHS = ['direct', 'collector', 'ingest'] as const;
type PathName = (typeof PATHS)[number];
const LABEL: Record<PathName, string> = {
  collector:
    'OTLP → OpenTelemetry Collector (batch, ES exporter) → Elasticsearch',
  direct: 'bulk helper → Elasticsearch (direct bulk, the limit)',
  ingest: 'OTLP → our ingest → Redis → indexer → Elasticsearch',
};

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function ensureOwnElasticsearch(): Promise<void> {
  if (new URL(ES_URL).port === '9200')
    throw new Error(
      'bench:ingest stops its Elasticsearch: give it its own (--es-url), not :9200',
    );
  if (!(await elasticsearchAnswers(ES_URL))) {
    out(`starting the bench's own Elasticsearch on ${ES_URL}...`);
    await startElasticsearch({ url: ES_URL });
  }
}

/**
 * Our ECS templates, and for the Collector's data streams (its exporter
 * writes its default `otel` document shape, with `require_data_stream`) a
 * data stream template that maps the same kinds of fields the same way:
 * times, message, severity, ids as keywords, attributes as `flattened`.
 */
async function installTemplates(): Promise<void> {
  const { installIndexTemplates } = await import('@freeride/ingest-delivery');
  const es = new Client({ node: ES_URL });
  try {
    await installIndexTemplates(
      es,
      `${__dirname}/../../../observability/elasticsearch`,
    );
    const flattened = { ignore_above: 1024, type: 'flattened' } as const;
    await es.indices.putIndexTemplate({
      data_stream: {},
      index_patterns: ['logs-otelcolbench-*'],
      name: 'bench-otelcol-logs',
      priority: 300,
      template: {
        mappings: {
          dynamic: false,
          properties: {
            '@timestamp': { type: 'date' },
            attributes: flattened,
            body: { properties: { text: { type: 'text' } } },
            observed_timestamp: { type: 'date' },
            resource: { properties: { attributes: flattened } },
            scope: { properties: { name: { type: 'keyword' } } },
            severity_number: { type: 'long' },
            severity_text: { type: 'keyword' },
            span_id: { type: 'keyword' },
            trace_id: { type: 'keyword' },
          },
        },
        settings: { index: { number_of_replicas: 0 } },
      },
    });
  } finally {
    await es.close();
  }
}

/** Where each path's documents keep the service name and the trace id. */
const FIELDS = {
  collector: { service: 'resource.attributes.service.name', trace: 'trace_id' },
  ours: { service: 'service.name', trace: 'trace.id' },
} as const;

/**
 * One path: a one-record request first, so that the data stream exists and
 * the receiver is connected (not timed); then every batch, timed until all
 * are searchable; then the latency samples.
 */
async function timePath(
  es: Client,
  index: string,
  serviceField: string,
  total: number,
  send: (bodies: Buffer[]) => Promise<void>,
  marker: (i: number) => string,
  bodies: Buffer[],
): Promise<{ latencies: number[]; seconds: number }> {
  await send([logsBody(0, 1, 'bench-prime')]);
  await untilSearchable(es, index, 1);
  const start = performance.now();
  await send(bodies);
  const end = await untilSearchable(es, index, total + 1);
  const latencies = await measureLatency(
    es,
    index,
    serviceField,
    LATENCY_SAMPLES,
    250,
    marker,
    (m) => send([logsBody(0, 100, m)]),
  );
  return { latencies, seconds: (end - start) / 1000 };
}

async function throughputRun(
  es: Client,
  run: string,
  bodies: Buffer[],
  collectorBin: string | undefined,
): Promise<Partial<Record<PathName, PathFigures>>> {
  const total = bodies.length * BATCH;
  const figures: Partial<Record<PathName, PathFigures>> = {};

  // 1. Direct bulk, with documents mapped beforehand (not timed).
  const directNs = `benchdirect${run}`;
  const mapped = new Map<Buffer, ReturnType<typeof toEcsDocuments>>();
  const mapAll = (list: Buffer[]) =>
    list.flatMap((body) => {
      let docs = mapped.get(body);
      if (!docs) {
        docs = toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
          namespace: directNs,
          source: 'bench',
        });
        mapped.set(body, docs);
      }
      return docs;
    });
  mapAll(bodies);
  out(`  direct bulk: ${total} documents...`);
  const direct = await timePath(
    es,
    `logs-*-${directNs}`,
    FIELDS.ours.service,
    total,
    async (list) => {
      await es.helpers.bulk({
        concurrency: 2,
        datasource: mapAll(list),
        flushBytes: 5_000_000,
        onDocument: (w) => [{ create: { _id: w.id, _index: w.index } }, w.doc],
      });
    },
    (i) => `lat${run}d${i}`,
    bodies,
  );
  const directRate = total / direct.seconds;
  figures.direct = pathFigures(total, direct, directRate);

  // 2. The OpenTelemetry Collector.
  if (collectorBin) {
    const index = `logs-otelcolbench-benchotel${run}`;
    out(`  OpenTelemetry Collector: ${total} records...`);
    const collector = await startCollector(
      collectorBin,
      ES_URL,
      index,
      'memory',
    );
    try {
      const t = await timePath(
        es,
        index,
        FIELDS.collector.service,
        total,
        (list) => sendAll(collector.url, list, CONCURRENCY),
        (i) => `lat${run}c${i}`,
        bodies,
      );
      figures.collector = pathFigures(total, t, directRate);
    } finally {
      await collector.stop();
    }
  }

  // 3. Our ingest.
  const ingestNs = `benchingest${run}`;
  out(`  our ingest: ${total} records...`);
  const ingest = await startIngest(ES_URL, ingestNs);
  try {
    const t = await timePath(
      es,
      `logs-*-${ingestNs}`,
      FIELDS.ours.service,
      total,
      (list) => sendAll(ingest.url, list, CONCURRENCY, ingest.token),
      (i) => `lat${run}i${i}`,
      bodies,
    );
    figures.ingest = pathFigures(total, t, directRate);
  } finally {
    await ingest.stop();
  }
  return figures;
}

function pathFigures(
  docs: number,
  t: { latencies: number[]; seconds: number },
  directRate: number,
): PathFigures {
  const rate = docs / t.seconds;
  return {
    docs,
    docsPerSecond: Math.round(rate),
    latencyMs: {
      p50: Math.round(percentile(t.latencies, 50)),
      p99: Math.round(percentile(t.latencies, 99)),
      samples: t.latencies.length,
    },
    ratio: +(rate / directRate).toFixed(3),
    seconds: +t.seconds.toFixed(2),
  };
}

/**
 * A steady stream (20 requests of 50 records a second) for 60 s, with
 * Elasticsearch stopped 10 s in for FAULT_SECONDS; then counts what was
 * acknowledged and what Elasticsearch holds, record by record.
 */
async function faultRun(
  es: Client,
  receiver: Receiver,
  index: string,
  traceField: string,
  tag: string,
): Promise<FaultFigures> {
  const acked: string[] = [];
  let refused = 0;
  const perRequest = 50;
  const requests = 20 * 60;
  let outage = 0;
  const outageDone = (async () => {
    await new Promise((r) => setTimeout(r, 10_000));
    const down = performance.now();
    await stopElasticsearch({ url: ES_URL });
    await new Promise((r) => setTimeout(r, FAULT_SECONDS * 1000));
    await startElasticsearch({ url: ES_URL });
    outage = (performance.now() - down) / 1000;
  })();
  const sends: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const wait = t0 + i * 50 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const ids = Array.from({ length: perRequest }, (_, j) =>
      `${tag}${(i * perRequest + j).toString(16).padStart(8, '0')}`.padStart(
        32,
        '0',
      ),
    );
    sends.push(
      postOtlp(
        receiver.url,
        logsBody(i, perRequest, `fault-${tag}`, ids),
        receiver.token,
      ).then((status) => {
        if (status === 200) acked.push(...ids);
        else refused += perRequest;
      }),
    );
  }
  await Promise.all(sends);
  await outageDone;
  // Wait until what was acknowledged is searchable, or nothing more arrives for 60 s.
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const n = await searchableCount(es, index);
    if (n >= acked.length) break;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 60_000) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const counts = await traceIdCounts(es, index, traceField);
  let duplicated = 0;
  for (const c of counts.values()) if (c > 1) duplicated += c - 1;
  const missing = acked.filter((id) => !counts.has(id)).length;
  return {
    acknowledged: acked.length,
    duplicated,
    indexed: acked.length - missing,
    missing,
    outageSeconds: +outage.toFixed(1),
    refused,
  };
}

async function main(): Promise<void> {
  const batches = Math.ceil(RECORDS / BATCH);
  const total = batches * BATCH;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  out(
    `bench:ingest — ${total} log records in ${batches} OTLP protobuf batches of ${BATCH}, ${CONCURRENCY} concurrent senders, ${RUNS} run(s); load average ${load}`,
  );
  await ensureOwnElasticsearch();
  await installTemplates();
  const es = new Client({ node: ES_URL });
  const collector = otelcolBinary(out);
  if (!collector.path)
    out(
      `the OpenTelemetry Collector could not be built; its path is skipped (${collector.reason})`,
    );

  const figures: Record<string, unknown> = {
    batchSize: BATCH,
    command: `npm run bench:ingest -- --records ${RECORDS} --batch ${BATCH} --concurrency ${CONCURRENCY} --runs ${RUNS} --fault ${FAULT}`,
    concurrency: CONCURRENCY,
    loadAverageAtStart: load,
    records: total,
  };
  try {
    if (FAULT !== 'only') {
      out('generating payloads...');
      const bodies = Array.from({ length: batches }, (_, b) =>
        logsBody(b, BATCH),
      );
      figures['payloadBytes'] = bodies.reduce((n, b) => n + b.length, 0);
      out('warming Elasticsearch up...');
      await es.helpers.bulk({
        concurrency: 2,
        datasource: bodies
          .slice(0, Math.max(1, Math.floor(batches / 5)))
          .flatMap((body) =>
            toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
              namespace: `benchwarm${Date.now().toString(36)}`,
            }),
          ),
        flushBytes: 5_000_000,
        onDocument: (d) => [{ create: { _id: d.id, _index: d.index } }, d.doc],
      });
      const runs: Partial<Record<PathName, PathFigures>>[] = [];
      for (let r = 0; r < RUNS; r++) {
        out(`run ${r + 1} of ${RUNS}:`);
        runs.push(
          await throughputRun(
            es,
            `${Date.now().toString(36)}r${r}`,
            bodies,
            collector.path,
          ),
        );
      }
      const summary: Partial<
        Record<
          PathName,
          { docsPerSecond: number; ratio: number; p50: number; p99: number }
        >
      > = {};
      for (const p of PATHS) {
        const rs = runs
          .map((r) => r[p])
          .filter((x): x is PathFigures => x !== undefined);
        if (rs.length === 0) continue;
        summary[p] = {
          docsPerSecond: median(rs.map((x) => x.docsPerSecond)),
          p50: median(rs.map((x) => x.latencyMs.p50)),
          p99: median(rs.map((x) => x.latencyMs.p99)),
          ratio: median(rs.map((x) => x.ratio)),
        };
      }
      figures['runs'] = runs;
      figures['median'] = summary;
      out();
      out(
        `| path | docs/s (median of ${RUNS}) | ratio to direct bulk | sent → searchable p50 | p99 |`,
      );
      out('| --- | ---: | ---: | ---: | ---: |');
      for (const p of PATHS) {
        const s = summary[p];
        if (!s) {
          out(`| ${LABEL[p]} | not run | | | |`);
          continue;
        }
        out(
          `| ${LABEL[p]} | ${s.docsPerSecond} | ${s.ratio.toFixed(3)} | ${s.p50} ms | ${s.p99} ms |`,
        );
      }
      out();
      for (const [i, r] of runs.entries())
        out(
          `run ${i + 1}: ${PATHS.map((p) => `${p} ${r[p]?.docsPerSecond ?? '-'} docs/s (${r[p]?.ratio ?? '-'})`).join(', ')}`,
        );
      const ours = summary.ingest?.docsPerSecond ?? 0;
      const theirs = summary.collector?.docsPerSecond;
      out(
        `ours / direct bulk: ${summary.ingest?.ratio ?? '-'} (target ≥ 0.9); ours / Collector: ${theirs ? (ours / theirs).toFixed(3) : 'n/a'} (target ≥ 1)`,
      );
    }
    if (FAULT !== 'off') {
      out();
      out(
        `fault: a steady stream of 1000 records/s for 60 s, Elasticsearch stopped 10 s in for ${FAULT_SECONDS} s...`,
      );
      const faults: Record<string, FaultFigures> = {};
      const tagBase = Date.now().toString(16).slice(-8);
      const scenarios: [string, () => Promise<Receiver>, string, string][] = [];
      if (collector.path) {
        const bin = collector.path;
        const queues: ['memory' | 'file', string][] = [
          ['memory', 'Collector, default in-memory queue'],
        ];
        if (collector.fileStorage)
          queues.push(['file', 'Collector, persistent file_storage queue']);
        for (const [queue, name] of queues) {
          const index = `logs-otelcolbench-fault${queue}${tagBase}`;
          scenarios.push([
            name,
            () => startCollector(bin, ES_URL, index, queue),
            index,
            FIELDS.collector.trace,
          ]);
        }
      }
      scenarios.push([
        'our ingest (Redis stream)',
        () => startIngest(ES_URL, `faultingest${tagBase}`),
        `logs-*-faultingest${tagBase}`,
        FIELDS.ours.trace,
      ]);
      for (const [i, [name, start, index, traceField]] of scenarios.entries()) {
        out(`  ${name}...`);
        const receiver = await start();
        try {
          faults[name] = await faultRun(
            es,
            receiver,
            index,
            traceField,
            `${tagBase}${i}`,
          );
        } finally {
          await receiver.stop();
        }
      }
      figures['fault'] = faults;
      out();
      out(
        '| receiver | acknowledged | indexed | missing | duplicated | refused (retryable) | outage |',
      );
      out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const [name, f] of Object.entries(faults))
        out(
          `| ${name} | ${f.acknowledged} | ${f.indexed} | ${f.missing} | ${f.duplicated} | ${f.refused} | ${f.outageSeconds} s |`,
        );
    }
    if (JSON_OUT) {
      writeFileSync(JSON_OUT, `${JSON.stringify(figures, null, 2)}\n`);
      out(`figures written to ${JSON_OUT}`);
    }
  } finally {
    if (!(await elasticsearchAnswers(ES_URL)))
      await startElasticsearch({ url: ES_URL });
    await es.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:ingest failed: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
