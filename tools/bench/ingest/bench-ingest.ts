/**
 * npm run bench:ingest [-- --records 300000 --batch 500 --concurrency 4
 *   --runs 1 --paths direct,collector,collector-ecs,ingest
 *   --fault on|off|only --fault-seconds 30 --fault-stream-seconds 60
 *   --fault-stop-after 10 --fault-settle-seconds 30 --latency-samples 40
 *   --collector-flush 1s|default --es-url http://127.0.0.1:9261 --fresh-es
 *   --keep-es --json FILE]
 *   (--cluster: the scale-out topology next to a single node instead, ./cluster.ts)
 *
 * The same OTLP protobuf log batches, in one run on the same machine, through:
 * 1. direct bulk: the official bulk helper writing our already-mapped ECS
 *    documents straight to Elasticsearch (the limit);
 * 2. the OpenTelemetry Collector (OTLP receiver → batch processor → contrib
 *    Elasticsearch exporter), built by tools/bench/peers/build-otelcol.sh,
 *    writing its default `otel` documents;
 * 3. the same Collector writing `ecs` documents into our own ECS template
 *    (like for like with ours);
 * 4. our ingest → Redis stream → indexer → Elasticsearch.
 * For each: documents per second until all are searchable (300,000 records
 * by default: a run then lasts several seconds, so the 1 s refresh it ends
 * on moves its time by a tenth at most), the ratio to
 * direct bulk, sent → searchable latency p50/p99, CPU ms per 1,000 documents
 * of Elasticsearch, of the receiver and of the bench itself, and the stored
 * document size. The order of the paths rotates from run to run. The
 * Collector's exporter batches for up to 10 s by default; in the throughput
 * runs it flushes after 1 s (`--collector-flush`), in the fault runs it keeps
 * its defaults.
 *
 * Then the fault, side by side: the same steady stream while Elasticsearch
 * is stopped; acknowledged vs indexed (missing, duplicated) records for the
 * Collector with its in-memory queue, with its persistent file queue, and
 * for our ingest, by when each record was sent.
 *
 * It uses its own Elasticsearch (default port 9261, started if needed),
 * never the shared one on 9200: the fault stops it. One this run started is
 * stopped at the end, unless `--keep-es` (the next run then skips its
 * start); one that was already running is left running.
 */
import { decodeOtlpRequest, toEcsDocuments } from '@freeride/otlp';
import {
  elasticsearchAnswers,
  startElasticsearch,
  stopElasticsearch,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import type { CpuPer1k } from './cpu';
import { type FaultFigures, faultRun } from './fault';
import {
  REPO,
  type Receiver,
  otelcolBinary,
  startCollector,
  startIngest,
} from './peers';
import {
  LABEL,
  PATHS,
  type PathFigures,
  type PathName,
  throughputRun,
} from './throughput';
import { logsBody } from './workload';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const key = process.argv[i].replace(/^--/, '');
  const value = process.argv[i + 1];
  if (value === undefined || value.startsWith('--')) args.set(key, 'true');
  else {
    args.set(key, value);
    i++;
  }
}
const CLUSTER = args.get('cluster') === 'true';
const RECORDS = Number(args.get('records') ?? 300_000);
const BATCH = Number(args.get('batch') ?? 500);
const CONCURRENCY = Number(args.get('concurrency') ?? 4);
const RUNS = Number(args.get('runs') ?? 1);
const FAULT = args.get('fault') ?? 'on';
const LATENCY_SAMPLES = Number(args.get('latency-samples') ?? 40);
const ES_URL = args.get('es-url') ?? 'http://127.0.0.1:9261';
const JSON_OUT = args.get('json');
const FRESH_ES = args.get('fresh-es') === 'true';
const KEEP_ES = args.get('keep-es') === 'true';
/** Whether this run started the bench's Elasticsearch (it then stops it at the end, unless --keep-es). */
let startedEs = false;
// The Collector's batching timeout in the throughput runs: its default 10 s
// would add up to 10 s of waiting for the last batch to a run of a few seconds.
const COLLECTOR_FLUSH = args.get('collector-flush') ?? '1s';
const SELECTED = (args.get('paths') ?? PATHS.join(','))
  .split(',')
  .filter(Boolean) as PathName[];
for (const p of SELECTED)
  if (!PATHS.includes(p))
    throw new Error(`--paths: unknown path ${p} (known: ${PATHS.join(', ')})`);
const FAULT_OPTIONS = {
  downSeconds: Number(args.get('fault-seconds') ?? 30),
  esUrl: ES_URL,
  settleSeconds: Number(args.get('fault-settle-seconds') ?? 30),
  stopAfterSeconds: Number(args.get('fault-stop-after') ?? 10),
  streamSeconds: Number(args.get('fault-stream-seconds') ?? 60),
};

const out = (line = '') => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The bench's own Elasticsearch, started if needed. With `--fresh-es` its
 * data directory is emptied first: the test distribution cannot delete data
 * streams, and every index an earlier run left makes each restart of the
 * fault comparison recover more shards.
 */
async function ensureOwnElasticsearch(): Promise<void> {
  const port = new URL(ES_URL).port;
  if (port === '9200')
    throw new Error(
      'bench:ingest stops its Elasticsearch: give it its own (--es-url), not :9200',
    );
  if (FRESH_ES) {
    if (await elasticsearchAnswers(ES_URL))
      await stopElasticsearch({ url: ES_URL });
    const runDir = execFileSync(
      'bash',
      ['-c', 'source tools/stack/lib.sh && printf %s "$FREERIDE_RUN"'],
      { cwd: REPO, encoding: 'utf8' },
    );
    const data = join(runDir, `es-${port}`, 'data');
    out(`emptying ${data}...`);
    rmSync(data, { force: true, recursive: true });
  }
  if (!(await elasticsearchAnswers(ES_URL))) {
    out(`starting the bench's own Elasticsearch on ${ES_URL}...`);
    await startElasticsearch({ url: ES_URL });
    startedEs = true;
  }
}

/**
 * Our ECS templates, and for the Collector's `otel` data streams (its
 * exporter writes with `require_data_stream`) a data stream template that
 * maps the same kinds of fields the same way: times, message, severity, ids
 * as keywords, attributes as `flattened`.
 */
async function installTemplates(es: Client): Promise<void> {
  const { installIndexTemplates } = await import('@freeride/ingest-delivery');
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
}

interface Summary {
  docsPerSecond: number;
  ratio: number;
  p50: number;
  p99: number;
  cpuMsPer1k: CpuPer1k;
  sourceBytes: number;
  indexedFields: number;
}

function summarise(
  runs: Partial<Record<PathName, PathFigures>>[],
): Partial<Record<PathName, Summary>> {
  const summary: Partial<Record<PathName, Summary>> = {};
  for (const p of PATHS) {
    const rs = runs
      .map((r) => r[p])
      .filter((x): x is PathFigures => x !== undefined);
    if (rs.length === 0) continue;
    const m = (f: (x: PathFigures) => number) => median(rs.map(f));
    summary[p] = {
      cpuMsPer1k: {
        elasticsearch: m((x) => x.cpuMsPer1k.elasticsearch),
        receiver: m((x) => x.cpuMsPer1k.receiver),
        receiverProcesses: Object.fromEntries(
          Object.keys(rs[0].cpuMsPer1k.receiverProcesses).map((name) => [
            name,
            m((x) => x.cpuMsPer1k.receiverProcesses[name] ?? 0),
          ]),
        ),
        sender: m((x) => x.cpuMsPer1k.sender),
        total: m((x) => x.cpuMsPer1k.total),
      },
      docsPerSecond: m((x) => x.docsPerSecond),
      indexedFields: m((x) => x.indexedFields),
      p50: m((x) => x.latencyMs.p50),
      p99: m((x) => x.latencyMs.p99),
      ratio: m((x) => x.ratio),
      sourceBytes: m((x) => x.sourceBytes),
    };
  }
  return summary;
}

function printThroughput(
  runs: Partial<Record<PathName, PathFigures>>[],
  summary: Partial<Record<PathName, Summary>>,
): void {
  out();
  out(
    `| path | docs/s (median of ${runs.length}) | ratio to direct bulk (median of per-run ratios) | sent → searchable p50 | p99 | CPU ms per 1k docs: Elasticsearch / receiver (by process) / sender / total | stored \`_source\` bytes per doc | indexed values per doc |`,
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const p of PATHS) {
    const s = summary[p];
    if (!s) continue;
    const c = s.cpuMsPer1k;
    out(
      `| ${LABEL[p]} | ${s.docsPerSecond.toLocaleString('en-US')} | ${s.ratio.toFixed(3)} | ${s.p50.toLocaleString('en-US')} ms | ${s.p99.toLocaleString('en-US')} ms | ${c.elasticsearch} / ${c.receiver}${
        Object.keys(c.receiverProcesses).length > 1
          ? ` (${Object.entries(c.receiverProcesses)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`
          : ''
      } / ${c.sender} / ${c.total} | ${s.sourceBytes} | ${s.indexedFields} |`,
    );
  }
  out();
  const cols = PATHS.filter((p) => summary[p]);
  out(
    `| run | order | ${cols.map((p) => `${p} docs/s (ratio)`).join(' | ')} |`,
  );
  out(`| --- | --- | ${cols.map(() => '---:').join(' | ')} |`);
  for (const [i, r] of runs.entries())
    out(
      `| ${i + 1} | ${(r as { order?: string[] }).order?.join(' → ') ?? ''} | ${cols
        .map((p) =>
          r[p]
            ? `${r[p].docsPerSecond.toLocaleString('en-US')} (${r[p].ratio.toFixed(3)})`
            : '-',
        )
        .join(' | ')} |`,
    );
  out();
  const ours = summary.ingest?.docsPerSecond;
  for (const peer of ['collector', 'collector-ecs'] as const) {
    const theirs = summary[peer]?.docsPerSecond;
    if (ours && theirs)
      out(
        `ours / ${peer} (median rates): ${(ours / theirs).toFixed(3)} (target ≥ 1)`,
      );
  }
  if (summary.ingest)
    out(
      `ours / direct bulk: ${summary.ingest.ratio.toFixed(3)} median of per-run ratios, ${summary.direct ? (summary.ingest.docsPerSecond / summary.direct.docsPerSecond).toFixed(3) : '-'} of median rates (target ≥ 0.9)`,
    );
}

async function faultComparison(
  es: Client,
  collector: ReturnType<typeof otelcolBinary>,
): Promise<Record<string, FaultFigures>> {
  const o = FAULT_OPTIONS;
  out();
  out(
    `fault: a steady stream of 1000 records/s for ${o.streamSeconds} s, Elasticsearch stopped ${o.stopAfterSeconds} s in for ${o.downSeconds} s...`,
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
        'trace_id',
      ]);
    }
  }
  scenarios.push([
    'our ingest (Redis stream)',
    () => startIngest(ES_URL, `faultingest${tagBase}`),
    `logs-*-faultingest${tagBase}`,
    'trace.id',
  ]);
  for (const [i, [name, start, index, traceField]] of scenarios.entries()) {
    out(`  ${name}... (load average ${load()})`);
    const receiver = await start();
    try {
      faults[name] = await faultRun(
        es,
        receiver,
        index,
        traceField,
        `${tagBase}${i}`,
        o,
      );
    } finally {
      await receiver.stop();
    }
    const f = faults[name];
    out(
      `    acknowledged ${f.acknowledged}, indexed ${f.indexed}; by phase ${JSON.stringify(f.byPhase)}; its log: ${f.receiverLog.errors} errors (first ${f.receiverLog.firstErrorAfterStopSeconds ?? '-'} s after the stop), ${f.receiverLog.warnings} warnings, ${f.receiverLog.dropped} records reported dropped`,
    );
    for (const line of f.receiverLog.samples) out(`      ${line}`);
  }
  out();
  out(
    '| receiver | acknowledged (200) | indexed | missing | duplicated | refused (not acknowledged) | sent before the stop: acknowledged → indexed | during the outage | after | outage | records the receiver logged as dropped |',
  );
  out(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const n = (x: number) => x.toLocaleString('en-US');
  for (const [name, f] of Object.entries(faults)) {
    const ph = (p: keyof FaultFigures['byPhase']) =>
      `${n(f.byPhase[p].acknowledged)} → ${n(f.byPhase[p].indexed)}`;
    out(
      `| ${name} | ${n(f.acknowledged)} | ${n(f.indexed)} | ${n(f.missing)} | ${n(f.duplicated)} | ${n(f.refused)} | ${ph('before')} | ${ph('outage')} | ${ph('after')} | ${f.outageSeconds} s | ${n(f.receiverLog.dropped)} |`,
    );
  }
  return faults;
}

async function main(): Promise<void> {
  if (CLUSTER) {
    const { runClusterBench } = await import('./cluster');
    return runClusterBench({
      batch: BATCH,
      concurrency: CONCURRENCY,
      json: JSON_OUT,
      records: RECORDS,
    });
  }
  const began = performance.now();
  const batches = Math.ceil(RECORDS / BATCH);
  const total = batches * BATCH;
  const loadAtStart = load();
  out(
    `bench:ingest — ${total} log records in ${batches} OTLP protobuf batches of ${BATCH}, ${CONCURRENCY} concurrent senders, ${RUNS} run(s); load average ${loadAtStart}`,
  );
  await ensureOwnElasticsearch();
  const es = new Client({ node: ES_URL });
  await installTemplates(es);
  const collector = otelcolBinary(out);
  if (!collector.path)
    out(
      `the OpenTelemetry Collector could not be built; its paths are skipped (${collector.reason})`,
    );

  const figures: Record<string, unknown> = {
    batchSize: BATCH,
    collectorFlushInThroughputRuns: COLLECTOR_FLUSH,
    command:
      `npm run bench:ingest -- ${process.argv.slice(2).join(' ')}`.trim(),
    concurrency: CONCURRENCY,
    loadAverage: { start: loadAtStart },
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
      const warm = `benchwarm${Date.now().toString(36)}`;
      await es.helpers.bulk({
        concurrency: 2,
        datasource: bodies
          // All of them once: after a fresh start, a first path warmed with a
          // fifth of them still cost Elasticsearch 2-3 times the CPU per
          // document of the later ones.
          .slice(0, batches)
          .flatMap((body) =>
            toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
              namespace: warm,
            }),
          ),
        flushBytes: 5_000_000,
        onDocument: (d) => [{ create: { _id: d.id, _index: d.index } }, d.doc],
      });
      const runs: (Partial<Record<PathName, PathFigures>> & {
        order?: PathName[];
        loadAverage?: string;
      })[] = [];
      for (let r = 0; r < RUNS; r++) {
        const order = SELECTED.map(
          (_, k) => SELECTED[(k + r) % SELECTED.length],
        );
        out(`run ${r + 1} of ${RUNS} (load average ${load()}):`);
        const run = await throughputRun(
          es,
          `${Date.now().toString(36)}r${r}`,
          bodies,
          order,
          {
            batch: BATCH,
            collectorBin: collector.path,
            collectorFlush:
              COLLECTOR_FLUSH === 'default' ? undefined : COLLECTOR_FLUSH,
            concurrency: CONCURRENCY,
            esUrl: ES_URL,
            latencySamples: LATENCY_SAMPLES,
            paths: SELECTED,
          },
          out,
        );
        runs.push({ ...run, loadAverage: load(), order });
      }
      const summary = summarise(runs);
      figures['runs'] = runs;
      figures['median'] = summary;
      (figures['loadAverage'] as Record<string, string>)['afterThroughput'] =
        load();
      printThroughput(runs, summary);
    }
    if (FAULT !== 'off') {
      figures['fault'] = await faultComparison(es, collector);
      figures['faultOptions'] = FAULT_OPTIONS;
    }
  } finally {
    await es.close();
    if (startedEs && !KEEP_ES) {
      out(
        `stopping the bench's Elasticsearch on ${ES_URL} (--keep-es keeps it running)`,
      );
      await stopElasticsearch({ url: ES_URL });
    } else if (!(await elasticsearchAnswers(ES_URL))) {
      // It was running before this run (or is kept): leave it as found.
      await startElasticsearch({ url: ES_URL });
    }
  }
  (figures['loadAverage'] as Record<string, string>)['end'] = load();
  const wallSeconds = Math.round((performance.now() - began) / 1000);
  figures['wallSeconds'] = wallSeconds;
  out();
  out(
    `load average: ${JSON.stringify(figures['loadAverage'])}; wall time ${wallSeconds} s`,
  );
  if (JSON_OUT) {
    writeFileSync(JSON_OUT, `${JSON.stringify(figures, null, 2)}\n`);
    out(`figures written to ${JSON_OUT}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench:ingest failed: ${(err as Error).stack ?? String(err)}\n`,
  );
  process.exit(1);
});
