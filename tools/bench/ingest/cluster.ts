/**
 * npm run bench:ingest -- --cluster [--records 40000 --batch 500 --concurrency 4 --json FILE]
 *
 * The same OTLP protobuf log batches, in one run on this machine, through two topologies of
 * the same built ingest, each started fresh on free loopback ports and stopped after:
 * 1. single: one Redis, one Elasticsearch node, one ingest;
 * 2. cluster: Redis Cluster (3 masters + 3 replicas, the ingest acknowledging only after one
 *    replica has the write: `INGEST_ACK_REPLICAS=1`), Elasticsearch ×3 (one replica per
 *    shard), two ingest instances (each with its indexer) behind HAProxy.
 * Each topology first gets a tenth as many other records, untimed (the data stream exists, the
 * ingests know the cluster's slots, every process is warm: without it, the figures were mostly
 * start-up and varied twofold). Then, for each: records per second from the first send until
 * all are searchable, and the ratio
 * cluster / single; and the CPU time each part spent per 1,000 records (Elasticsearch by its
 * node stats, Redis by `INFO cpu` of every node, the ingest processes, this bench process), which
 * is what would spread over more machines, and shows which part is the next limit. Both
 * Elasticsearch topologies run the stack's distribution with the same heap per node, so the
 * difference is the topology, not the settings.
 */
import {
  type ElasticsearchCluster,
  type ManagedProcess,
  builtAppCommand,
  getFreePort,
  makeTempDir,
  startElasticsearchCluster,
  startLoadBalancer,
  startProcess,
  startRedis,
  startRedisCluster,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';
import { Redis } from 'ioredis';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

import { elasticsearchCpuMs, ownCpuMs, processCpuMs } from './cpu';
import { untilSearchable } from './es-probes';
import { TOKEN } from './peers';
import { logsBody, sendAll } from './workload';

export interface ClusterBenchOptions {
  batch: number;
  concurrency: number;
  json?: string;
  records: number;
}

/** CPU ms per 1,000 records, by part. */
interface CpuPer1k {
  bench: number;
  elasticsearch: number;
  ingest: number;
  redis: number;
  total: number;
}

interface TopologyFigures {
  cpuMsPer1k: CpuPer1k;
  docs: number;
  docsPerSecond: number;
  seconds: number;
}

/** The processes of one topology whose CPU time is counted. */
interface Parts {
  ingestPids: number[];
  redisPorts: number[];
}

/** Redis' own CPU time (`INFO cpu`: user + system, main and child processes) of one node, ms. */
async function redisCpuMs(port: number): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', lazyConnect: true, port });
  try {
    await redis.connect();
    const info = await redis.info('cpu');
    let seconds = 0;
    for (const m of info.matchAll(
      /^used_cpu_(?:sys|user)(?:_children)?:([\d.]+)/gm,
    ))
      seconds += Number(m[1]);
    return seconds * 1000;
  } finally {
    redis.disconnect();
  }
}

/** Cumulative CPU ms of each part, now. */
async function cpuNow(
  es: Client,
  parts: Parts,
): Promise<Omit<CpuPer1k, 'total'>> {
  const redis = await Promise.all(parts.redisPorts.map(redisCpuMs));
  return {
    bench: ownCpuMs(),
    elasticsearch: await elasticsearchCpuMs(es),
    ingest: parts.ingestPids.reduce((n, pid) => n + processCpuMs(pid), 0),
    redis: redis.reduce((n, x) => n + x, 0),
  };
}

const out = (line = '') => process.stdout.write(`${line}\n`);
/** Every data stream the bench's ingests write. */
const INDEX = 'logs-*-benchcluster';

async function startIngestInstance(
  name: string,
  env: Record<string, string>,
): Promise<{ address: string; proc: ManagedProcess }> {
  const port = await getFreePort();
  const built = builtAppCommand('ingest');
  const proc = await startProcess(built.command, built.args, {
    cwd: built.cwd,
    env: {
      ES_NAMESPACE: 'benchcluster',
      FANOUT_ENABLED: 'false',
      INGEST_CONSUMER_NAME: name,
      INGEST_LOG_TO_ELASTICSEARCH: 'false',
      INGEST_PORT: String(port),
      INGEST_TOKENS: `bench=${TOKEN}`,
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      ...env,
    },
    logFile: join(makeTempDir('bench-cluster-'), `${name}.log`),
    name,
  });
  await proc.waitUntilReady(
    async () =>
      (
        await fetch(`http://127.0.0.1:${port}/health/ready`).catch(
          () => undefined,
        )
      )?.ok === true,
    // Ready, not only live: on a Redis Cluster it answers 503 until it knows the slots.
    `${name} is ready`,
    120_000,
  );
  return { address: `127.0.0.1:${port}`, proc };
}

async function measure(
  esCluster: ElasticsearchCluster,
  url: string,
  bodies: Buffer[],
  options: ClusterBenchOptions,
  parts: Parts,
): Promise<TopologyFigures> {
  const es = new Client({ nodes: [...esCluster.urls], requestTimeout: 60_000 });
  try {
    const total = bodies.length * options.batch;
    const target = {
      headers: { authorization: `Bearer ${TOKEN}` },
      url: `${url}/v1/logs`,
    };
    // Not timed: creates the data stream and warms every process up with other records.
    const warm = Array.from({ length: Math.ceil(bodies.length / 10) }, (_, b) =>
      logsBody(b, options.batch, `bench-warm-${b % 8}`),
    );
    await sendAll(target, warm, options.concurrency);
    const primed = warm.length * options.batch;
    await untilSearchable(es, INDEX, primed);
    const cpu0 = await cpuNow(es, parts);
    const t0 = performance.now();
    await sendAll(target, bodies, options.concurrency);
    const t1 = await untilSearchable(es, INDEX, primed + total);
    const seconds = (t1 - t0) / 1000;
    const cpu1 = await cpuNow(es, parts);
    const per1k = (key: keyof typeof cpu0) =>
      Number((((cpu1[key] - cpu0[key]) * 1000) / total).toFixed(1));
    const cpuMsPer1k = {
      bench: per1k('bench'),
      elasticsearch: per1k('elasticsearch'),
      ingest: per1k('ingest'),
      redis: per1k('redis'),
    };
    return {
      cpuMsPer1k: {
        ...cpuMsPer1k,
        total: Number(
          Object.values(cpuMsPer1k)
            .reduce((n, x) => n + x, 0)
            .toFixed(1),
        ),
      },
      docs: total,
      docsPerSecond: Math.round(total / seconds),
      seconds: Number(seconds.toFixed(2)),
    };
  } finally {
    await es.close();
  }
}

async function single(
  bodies: Buffer[],
  options: ClusterBenchOptions,
): Promise<TopologyFigures> {
  const [es, redis] = await Promise.all([
    startElasticsearchCluster({ nodes: 1 }),
    startRedis({ extraArgs: ['--appendfsync', 'always'] }),
  ]);
  let ingest: { address: string; proc: ManagedProcess } | undefined;
  try {
    ingest = await startIngestInstance('ingest-single', {
      ELASTICSEARCH_URL: es.url,
      REDIS_URL: redis.url,
    });
    return await measure(es, `http://${ingest.address}`, bodies, options, {
      ingestPids: [ingest.proc.pid],
      redisPorts: [redis.port],
    });
  } finally {
    await ingest?.proc.stop({ timeoutMs: 20_000 });
    await redis.stop();
    await es.dispose();
  }
}

async function cluster(
  bodies: Buffer[],
  options: ClusterBenchOptions,
): Promise<TopologyFigures> {
  const [es, redis] = await Promise.all([
    startElasticsearchCluster({ nodes: 3 }),
    startRedisCluster({ masters: 3, replicas: 1 }),
  ]);
  const redisUrl = `redis-cluster://${redis.startupNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  const ingests: { address: string; proc: ManagedProcess }[] = [];
  let lb: Awaited<ReturnType<typeof startLoadBalancer>> | undefined;
  try {
    for (const name of ['ingest-a', 'ingest-b']) {
      ingests.push(
        await startIngestInstance(name, {
          ELASTICSEARCH_URL: es.url,
          INGEST_ACK_REPLICAS: '1',
          INGEST_STREAM_PARTITIONS: '4',
          REDIS_URL: redisUrl,
        }),
      );
    }
    lb = await startLoadBalancer({ servers: ingests.map((i) => i.address) });
    return await measure(es, lb.url, bodies, options, {
      ingestPids: ingests.map((i) => i.proc.pid),
      redisPorts: redis.nodes.map((n) => n.port),
    });
  } finally {
    await lb?.dispose();
    await Promise.all(ingests.map((i) => i.proc.stop({ timeoutMs: 20_000 })));
    await redis.dispose();
    await es.dispose();
  }
}

/** Runs both topologies and prints (and with `json`, writes) the figures side by side. */
export async function runClusterBench(
  options: ClusterBenchOptions,
): Promise<void> {
  const batches = Math.ceil(options.records / options.batch);
  const bodies = Array.from({ length: batches }, (_, i) =>
    logsBody(i, options.batch),
  );
  out(
    `bench:ingest --cluster — ${batches * options.batch} log records in ${batches} OTLP protobuf batches of ${options.batch}, ${options.concurrency} concurrent senders; load average ${loadavg()[0].toFixed(2)}`,
  );
  out('  single: 1 Redis, 1 Elasticsearch node, 1 ingest...');
  const one = await single(bodies, options);
  out(`    ${one.docsPerSecond} records/s (${one.seconds} s)`);
  out(`    CPU ms per 1k records: ${cpuLine(one.cpuMsPer1k)}`);
  out(
    '  cluster: Redis Cluster 3+3 (WAIT 1 replica), Elasticsearch ×3 (1 replica), ingest ×2 behind HAProxy...',
  );
  const three = await cluster(bodies, options);
  out(`    ${three.docsPerSecond} records/s (${three.seconds} s)`);
  out(`    CPU ms per 1k records: ${cpuLine(three.cpuMsPer1k)}`);
  const ratio = Number((three.docsPerSecond / one.docsPerSecond).toFixed(3));
  out(`  cluster / single: ${ratio}`);
  if (options.json) {
    writeFileSync(
      options.json,
      `${JSON.stringify(
        {
          command: `npm run bench:ingest -- --cluster --records ${options.records} --batch ${options.batch} --concurrency ${options.concurrency}`,
          loadAverage: loadavg()[0],
          ratio,
          topologies: { cluster: three, single: one },
        },
        null,
        2,
      )}\n`,
    );
    out(`  figures written to ${options.json}`);
  }
}

function cpuLine(c: CpuPer1k): string {
  return `Elasticsearch ${c.elasticsearch}, Redis ${c.redis}, ingest ${c.ingest}, bench ${c.bench} (total ${c.total})`;
}
