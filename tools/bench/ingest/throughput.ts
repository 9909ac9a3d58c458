/**
 * The throughput part of bench:ingest: the same OTLP batches through each
 * path, timed from the first request until every document is searchable,
 * with the CPU each process spent on them.
 */
import { decodeOtlpRequest, toEcsDocuments } from '@freeride/otlp';

import type { Client } from '@elastic/elasticsearch';

import { type CpuPer1k, cpuMeter, elasticsearchWriteTasks } from './cpu';
import {
  measureLatency,
  percentile,
  untilQuiet,
  untilSearchable,
} from './es-probes';
import {
  type CollectorMapping,
  type Receiver,
  startCollector,
  startIngest,
} from './peers';
import { logsBody, sendAll } from './workload';

export const PATHS = [
  'direct',
  'collector',
  'collector-ecs',
  'ingest',
] as const;
export type PathName = (typeof PATHS)[number];

export const LABEL: Record<PathName, string> = {
  collector:
    'OTLP → OpenTelemetry Collector → Elasticsearch (its default `otel` documents)',
  'collector-ecs':
    'OTLP → OpenTelemetry Collector → Elasticsearch (`ecs` documents, our ECS template)',
  direct:
    'bulk helper → Elasticsearch (direct bulk of our documents, the limit)',
  ingest: 'OTLP → our ingest → Redis → indexer → Elasticsearch',
};

export interface PathFigures {
  docs: number;
  docsPerSecond: number;
  /** From the first request until the last one was acknowledged (200). */
  acknowledgedSeconds: number;
  /** CPU ms per 1,000 documents (timed part only), by process. */
  cpuMsPer1k: CpuPer1k;
  /** Documents per shard-level write task of Elasticsearch (timed part): the batch size it saw. */
  docsPerWriteTask: number;
  /** How long Elasticsearch took to become quiet before the timed part (merges of earlier paths). */
  settledMs: number;
  latencyMs: { p50: number; p99: number; samples: number };
  /** Documents per second relative to direct bulk in the same run. */
  ratio: number;
  seconds: number;
  /** Average `_source` bytes per document as stored. */
  sourceBytes: number;
  /** Values indexed per document (each key of a `flattened` field counts). */
  indexedFields: number;
}

export interface ThroughputOptions {
  batch: number;
  collectorBin?: string;
  /** The Collector exporter's batching timeout in the throughput runs (its default: 10 s). */
  collectorFlush?: string;
  concurrency: number;
  esUrl: string;
  latencySamples: number;
  paths: PathName[];
}

/** Where each path's documents keep the service name. */
const SERVICE_FIELD: Record<PathName, string> = {
  collector: 'resource.attributes.service.name',
  'collector-ecs': 'service.name',
  direct: 'service.name',
  ingest: 'service.name',
};

/** The data stream a path writes to in run `run`. */
function indexOf(path: PathName, run: string): string {
  switch (path) {
    case 'collector':
      return `logs-otelcolbench-benchotel${run}`;
    case 'collector-ecs':
      return `logs-generic-benchotelecs${run}`;
    case 'direct':
      return `logs-generic-benchdirect${run}`;
    case 'ingest':
      return `logs-generic-benchingest${run}`;
  }
}

/** What a path needs to send a list of OTLP bodies, and its processes. */
interface Sender {
  processes: Record<string, number>;
  send(bodies: Buffer[]): Promise<void>;
  stop(): Promise<void>;
}

/** Direct bulk: the documents mapped beforehand (not timed), written by the official bulk helper. */
function directSender(es: Client, namespace: string, bodies: Buffer[]): Sender {
  const mapped = new Map<Buffer, ReturnType<typeof toEcsDocuments>>();
  const mapAll = (list: Buffer[]) =>
    list.flatMap((body) => {
      let docs = mapped.get(body);
      if (!docs) {
        docs = toEcsDocuments(decodeOtlpRequest('logs', 'protobuf', body), {
          namespace,
          source: 'bench',
        });
        mapped.set(body, docs);
      }
      return docs;
    });
  mapAll(bodies);
  return {
    processes: {},
    async send(list) {
      await es.helpers.bulk({
        concurrency: 2,
        datasource: mapAll(list),
        flushBytes: 5_000_000,
        onDocument: (w) => [{ create: { _id: w.id, _index: w.index } }, w.doc],
      });
    },
    stop: () => Promise.resolve(),
  };
}

function receiverSender(receiver: Receiver, concurrency: number): Sender {
  return {
    processes: receiver.processes,
    send: (list) => sendAll(receiver, list, concurrency),
    stop: () => receiver.stop(),
  };
}

async function startSender(
  path: PathName,
  es: Client,
  run: string,
  bodies: Buffer[],
  opts: ThroughputOptions,
): Promise<Sender> {
  const index = indexOf(path, run);
  const namespace = index.split('-').slice(2).join('-');
  switch (path) {
    case 'direct':
      return directSender(es, namespace, bodies);
    case 'collector':
    case 'collector-ecs': {
      const mapping: CollectorMapping = path === 'collector' ? 'otel' : 'ecs';
      return receiverSender(
        await startCollector(
          opts.collectorBin as string,
          opts.esUrl,
          index,
          'memory',
          mapping,
          opts.collectorFlush,
        ),
        opts.concurrency,
      );
    }
    case 'ingest':
      return receiverSender(
        await startIngest(opts.esUrl, namespace),
        opts.concurrency,
      );
  }
}

type MappingNode = { properties?: Record<string, MappingNode>; type?: string };

/** Leaf values of `value` that the mapping indexes (each key under a `flattened` field counts). */
function indexedValues(value: unknown, node: MappingNode | undefined): number {
  if (!node) return 0;
  if (node.type === 'flattened') return leaves(value);
  if (node.properties && value && typeof value === 'object') {
    let n = 0;
    for (const [key, v] of Object.entries(value)) {
      // Dotted keys are object paths in Elasticsearch.
      let target: MappingNode | undefined = node;
      for (const part of key.split('.')) target = target?.properties?.[part];
      n += indexedValues(v, target);
    }
    return n;
  }
  return node.type ? 1 : 0;
}

function leaves(value: unknown): number {
  if (value && typeof value === 'object')
    return Object.values(value).reduce<number>((n, v) => n + leaves(v), 0);
  return 1;
}

/** Average stored `_source` size and indexed values per document of `index`. */
async function documentShape(
  es: Client,
  index: string,
): Promise<{ sourceBytes: number; indexedFields: number }> {
  const hits = await es.search({ index, size: 200 });
  const docs = hits.hits.hits;
  const mapping = Object.values(await es.indices.getMapping({ index }))[0];
  const root = mapping?.mappings as MappingNode | undefined;
  let bytes = 0;
  let fields = 0;
  for (const h of docs) {
    bytes += Buffer.byteLength(JSON.stringify(h._source));
    fields += indexedValues(h._source, root);
  }
  const n = Math.max(1, docs.length);
  return {
    indexedFields: +(fields / n).toFixed(1),
    sourceBytes: Math.round(bytes / n),
  };
}

/**
 * One path: a tenth as many other records first, so that the data stream
 * exists, the receiver is connected and every process is warm (not timed);
 * then every batch, timed until all are searchable, with CPU per process;
 * then the latency samples.
 */
async function timePath(
  path: PathName,
  es: Client,
  run: string,
  bodies: Buffer[],
  opts: ThroughputOptions,
): Promise<Omit<PathFigures, 'ratio'>> {
  const index = indexOf(path, run);
  const total = bodies.length * opts.batch;
  const sender = await startSender(path, es, run, bodies, opts);
  try {
    // Not timed: creates the data stream, connects the receiver and warms
    // its code (and Elasticsearch's) up with other records.
    const warm = Array.from({ length: Math.ceil(bodies.length / 10) }, (_, b) =>
      logsBody(b, opts.batch, `bench-warm-${b % 8}`),
    );
    await sender.send(warm);
    const primed = warm.length * opts.batch;
    await untilSearchable(es, index, primed);
    // Every path starts from a quiet Elasticsearch (not timed).
    const settledMs = await untilQuiet(es);
    const cpu = await cpuMeter(es, sender.processes);
    const tasks0 = await elasticsearchWriteTasks(es);
    const start = performance.now();
    await sender.send(bodies);
    const acknowledged = performance.now();
    const end = await untilSearchable(es, index, primed + total);
    const cpuMsPer1k = await cpu.stop(total);
    const tasks = (await elasticsearchWriteTasks(es)) - tasks0;
    const seconds = (end - start) / 1000;
    const latencies = await measureLatency(
      es,
      index,
      SERVICE_FIELD[path],
      opts.latencySamples,
      250,
      (i) => `lat${run}${path}${i}`,
      (m) => sender.send([logsBody(0, 100, m)]),
    );
    const shape = await documentShape(es, index);
    return {
      cpuMsPer1k,
      docs: total,
      docsPerSecond: Math.round(total / seconds),
      docsPerWriteTask: Math.round(total / Math.max(1, tasks)),
      settledMs,
      acknowledgedSeconds: +((acknowledged - start) / 1000).toFixed(2),
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p99: Math.round(percentile(latencies, 99)),
        samples: latencies.length,
      },
      seconds: +seconds.toFixed(2),
      ...shape,
    };
  } finally {
    await sender.stop();
  }
}

/**
 * One run of every path, in `order` (rotated from run to run, so that no
 * path always comes first or last); ratios are to direct bulk of the same run.
 */
export async function throughputRun(
  es: Client,
  run: string,
  bodies: Buffer[],
  order: PathName[],
  opts: ThroughputOptions,
  log: (line: string) => void,
): Promise<Partial<Record<PathName, PathFigures>>> {
  const figures: Partial<Record<PathName, Omit<PathFigures, 'ratio'>>> = {};
  for (const path of order) {
    if (path.startsWith('collector') && !opts.collectorBin) continue;
    log(`  ${path}: ${bodies.length * opts.batch} records...`);
    figures[path] = await timePath(path, es, run, bodies, opts);
    const f = figures[path];
    log(
      `    ${f.docsPerSecond} docs/s (all acknowledged after ${f.acknowledgedSeconds} s, searchable after ${f.seconds} s; ${f.docsPerWriteTask} docs per Elasticsearch write task; started after ${f.settledMs} ms of settling); CPU ms per 1k docs: Elasticsearch ${f.cpuMsPer1k.elasticsearch}, receiver ${f.cpuMsPer1k.receiver} ${JSON.stringify(f.cpuMsPer1k.receiverProcesses)}, sender ${f.cpuMsPer1k.sender}`,
    );
  }
  const direct = figures.direct?.docsPerSecond;
  const out: Partial<Record<PathName, PathFigures>> = {};
  for (const [p, f] of Object.entries(figures) as [
    PathName,
    Omit<PathFigures, 'ratio'>,
  ][])
    out[p] = {
      ...f,
      ratio: direct ? +(f.docsPerSecond / direct).toFixed(3) : NaN,
    };
  return out;
}
