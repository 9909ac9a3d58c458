/**
 * CPU time per process, so that bench:ingest can say where each path spends
 * the machine's two cores: Elasticsearch (its own node stats), the receiver
 * (the Collector, or our ingest and its Redis) and the bench process itself
 * (which serialises the direct path's documents and sends every request).
 * CPU time is what a loaded machine does not distort much: a starved process
 * takes longer, not more CPU.
 */
import type { Client } from '@elastic/elasticsearch';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(
        execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(),
      );
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of one process (Linux `/proc`), in ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime is 14th, stime 15th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / clockTicks();
  } catch {
    return 0;
  }
}

/** Elasticsearch's own CPU time (all nodes the client reaches), in ms. */
export async function elasticsearchCpuMs(es: Client): Promise<number> {
  const res = await es.nodes.stats({
    filter_path: 'nodes.*.process.cpu.total_in_millis',
    metric: 'process',
  });
  let total = 0;
  for (const node of Object.values(res.nodes ?? {}))
    total += node.process?.cpu?.total_in_millis ?? 0;
  return total;
}

/**
 * Shard-level write tasks Elasticsearch completed (all nodes): one per
 * `_bulk` request and shard it touched, so documents per task tells how
 * large the batches a path sends are.
 */
export async function elasticsearchWriteTasks(es: Client): Promise<number> {
  const res = await es.nodes.stats({
    filter_path: 'nodes.*.thread_pool.write.completed',
    metric: 'thread_pool',
  });
  let total = 0;
  for (const node of Object.values(res.nodes ?? {}))
    total += node.thread_pool?.['write']?.completed ?? 0;
  return total;
}

/** This process's CPU time, in ms. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU ms per 1,000 documents, by where it was spent. */
export interface CpuPer1k {
  elasticsearch: number;
  receiver: number;
  /** The receiver's share by process (e.g. ingest, redis). */
  receiverProcesses: Record<string, number>;
  sender: number;
  total: number;
}

/** Starts counting; `stop(docs)` gives the CPU spent since, per 1,000 documents. */
export async function cpuMeter(
  es: Client,
  receiver: Record<string, number>,
): Promise<{ stop(docs: number): Promise<CpuPer1k> }> {
  const perProcess = () =>
    Object.fromEntries(
      Object.entries(receiver).map(([name, pid]) => [name, processCpuMs(pid)]),
    );
  const es0 = await elasticsearchCpuMs(es);
  const r0 = perProcess();
  const s0 = ownCpuMs();
  return {
    async stop(docs: number): Promise<CpuPer1k> {
      const per1k = (ms: number) => +((ms * 1000) / docs).toFixed(1);
      const elasticsearch = per1k((await elasticsearchCpuMs(es)) - es0);
      const r1 = perProcess();
      const receiverProcesses = Object.fromEntries(
        Object.keys(r1).map((name) => [name, per1k(r1[name] - r0[name])]),
      );
      const rec = +Object.values(receiverProcesses)
        .reduce((n, x) => n + x, 0)
        .toFixed(1);
      const sender = per1k(ownCpuMs() - s0);
      return {
        elasticsearch,
        receiver: rec,
        receiverProcesses,
        sender,
        total: +(elasticsearch + rec + sender).toFixed(1),
      };
    },
  };
}
