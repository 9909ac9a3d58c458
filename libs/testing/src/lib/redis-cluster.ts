import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { findBinary } from './binaries';
import { getFreePort } from './free-port';
import { type RedisServer, startRedis } from './redis';
import { LOOPBACK } from './testing.constants';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Masters (hash slots split evenly). @default 3 */
  masters?: number;
  /**
   * `cluster-node-timeout`, ms: how long a master may be unreachable before
   * its replica is promoted.
   * @default 2000
   */
  nodeTimeoutMs?: number;
  /** Replicas per master. @default 1 */
  replicas?: number;
}

/** A Redis Cluster started by {@link startRedisCluster}. */
export interface RedisClusterServer {
  /** Every node, masters and replicas, in start order. */
  readonly nodes: readonly RedisServer[];
  /** `{ host, port }` of every node, for `new Cluster(startupNodes)`. */
  readonly startupNodes: { host: string; port: number }[];
  /** Stops every node and removes their data directories. */
  dispose(): Promise<void>;
  /** The node currently serving `slot` as master. */
  masterOf(slot: number): Promise<RedisServer>;
  /**
   * Waits until every running node reports `cluster_state:ok` (every slot
   * served) and every running replica's link to its master is up.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const binary = findBinary(['redis-cli'], 'redis-cli');
  const { stdout } = await run(binary, [
    '-h',
    LOOPBACK,
    '-p',
    String(port),
    ...args,
  ]);
  return stdout;
}

/**
 * Starts a Redis Cluster on 127.0.0.1: `masters × (1 + replicas)` redis-server
 * processes (append-only, `appendfsync always`), joined with
 * `redis-cli --cluster create`, and waits until it serves every slot.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisClusterServer> {
  const { masters = 3, nodeTimeoutMs = 2000, replicas = 1 } = options;
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      nodes.push(
        await startRedis({
          extraArgs: [
            // The bus port defaults to port + 10000, which may be taken.
            '--cluster-port',
            String(await getFreePort()),
            // Replicas sync at once (the default waits 5 s for more replicas).
            '--repl-diskless-sync-delay',
            '0',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(nodeTimeoutMs),
          ],
        }),
      );
    }
    await cli(
      nodes[0].port,
      '--cluster',
      'create',
      ...nodes.map((n) => `${LOOPBACK}:${n.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    );
  } catch (err) {
    await Promise.all(nodes.map((n) => n.dispose()));
    throw err;
  }

  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const cluster: RedisClusterServer = {
    nodes,
    startupNodes: nodes.map((n) => ({ host: LOOPBACK, port: n.port })),
    async dispose() {
      await Promise.all(nodes.map((n) => n.dispose()));
    },
    async masterOf(slot) {
      for (const node of nodes) {
        if (!node.running()) continue;
        const out = await cli(node.port, 'CLUSTER', 'NODES').catch(() => '');
        for (const line of out.split('\n')) {
          const parts = line.trim().split(' ');
          if (
            parts.length < 9 ||
            !parts[2].includes('master') ||
            parts[2].includes('fail')
          )
            continue;
          const port = Number(parts[1].split(':')[1].split('@')[0]);
          for (const range of parts.slice(8)) {
            const [from, to = from] = range.split('-').map(Number);
            if (slot >= from && slot <= to) {
              const server = byPort.get(port);
              if (server) return server;
            }
          }
        }
      }
      throw new Error(`no live master serves slot ${slot}`);
    },
    async waitHealthy(timeoutMs = 30_000) {
      await waitFor(
        async () => {
          for (const node of nodes) {
            if (!node.running()) continue;
            const info = await cli(node.port, 'CLUSTER', 'INFO').catch(
              () => '',
            );
            if (!info.includes('cluster_state:ok')) return false;
            const replication = await cli(node.port, 'INFO', 'replication');
            if (
              replication.includes('role:slave') &&
              !replication.includes('master_link_status:up')
            )
              return false;
          }
          return true;
        },
        {
          description: 'redis cluster_state:ok and replica links up',
          intervalMs: 200,
          timeoutMs,
        },
      );
    },
  };
  await cluster.waitHealthy();
  return cluster;
}
