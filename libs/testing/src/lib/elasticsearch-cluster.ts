import { join } from 'node:path';

import { runStackScript } from './elasticsearch';
import { getFreePort } from './free-port';
import { reapWithOwner } from './managed-process';
import { makeTempDir, removeTempDir } from './temp-dir';
import { LOOPBACK, STACK_DIR } from './testing.constants';
import { waitFor } from './wait-for';

/** Options of {@link startElasticsearchCluster}. */
export interface StartElasticsearchClusterOptions {
  /** JVM heap of each node. @default '512m' */
  heap?: string;
  /** Nodes, each master-eligible and holding data. @default 3 */
  nodes?: number;
  /**
   * Upper bound for the start (JVMs and green health with every node).
   * @default 300000
   */
  timeoutMs?: number;
}

/** One node of an {@link ElasticsearchCluster}. */
export interface ElasticsearchClusterNode {
  /** 1-based number, as `tools/stack/elasticsearch-cluster.sh kill N` takes it. */
  readonly number: number;
  /** HTTP port. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
}

/** An Elasticsearch cluster started by {@link startElasticsearchCluster}. */
export interface ElasticsearchCluster {
  /** Stops every node and removes their data directories. */
  dispose(): Promise<void>;
  /** SIGKILLs one node, as a crash (its data directory is kept). */
  kill(node: ElasticsearchClusterNode): Promise<void>;
  readonly nodes: readonly ElasticsearchClusterNode[];
  /** Starts a killed or stopped node again; it rejoins the cluster. */
  startNode(node: ElasticsearchClusterNode): Promise<void>;
  /** Every node URL, comma-separated: the apps' `ELASTICSEARCH_URL`. */
  readonly url: string;
  /** Every node URL. */
  readonly urls: readonly string[];
  /**
   * Waits until a node that answers reports `status` (or better) with `nodes` nodes in the
   * cluster.
   */
  waitHealth(
    status: 'green' | 'yellow',
    nodes: number,
    timeoutMs?: number,
  ): Promise<void>;
}

const RANK = { green: 2, red: 0, yellow: 1 } as const;

/**
 * Starts an Elasticsearch cluster on 127.0.0.1 through `tools/stack/elasticsearch-cluster.sh`:
 * `nodes` processes of the stack's distribution on free HTTP and transport ports, data in a
 * fresh temp directory, and waits for green health with every node. Never touches the shared
 * Elasticsearch on :9200.
 */
export async function startElasticsearchCluster(
  options: StartElasticsearchClusterOptions = {},
): Promise<ElasticsearchCluster> {
  const { heap = '512m', nodes: count = 3, timeoutMs = 300_000 } = options;
  const httpPorts: number[] = [];
  const transportPorts: number[] = [];
  for (let i = 0; i < count; i++) {
    httpPorts.push(await getFreePort());
    transportPorts.push(await getFreePort());
  }
  const dir = makeTempDir('freeride-es-cluster-');
  const env = {
    ES_CLUSTER_DIR: dir,
    ES_CLUSTER_NAME: `freeride-test-${httpPorts[0]}`,
    ES_CLUSTER_PORTS: httpPorts.join(','),
    ES_CLUSTER_TRANSPORT_PORTS: transportPorts.join(','),
    ES_HEAP: heap,
  };
  const script = (args: string[], ms: number) =>
    runStackScript('elasticsearch-cluster.sh', args, env, ms);
  const nodes = httpPorts.map((port, i) => ({
    number: i + 1,
    port,
    url: `http://${LOOPBACK}:${port}`,
  }));
  const urls = nodes.map((n) => n.url);
  const cluster: ElasticsearchCluster = {
    async dispose() {
      try {
        await script(['stop'], 120_000);
      } finally {
        removeTempDir(dir);
      }
    },
    kill: (node) => script(['kill', String(node.number)], 30_000),
    nodes,
    startNode: (node) => script(['start-node', String(node.number)], timeoutMs),
    url: urls.join(','),
    urls,
    async waitHealth(status, want, ms = 120_000) {
      await waitFor(
        async () => {
          for (const url of urls) {
            try {
              const res = await fetch(`${url}/_cluster/health`, {
                signal: AbortSignal.timeout(3000),
              });
              if (!res.ok) continue;
              const health = (await res.json()) as {
                number_of_nodes: number;
                status: keyof typeof RANK;
              };
              return (
                health.number_of_nodes === want &&
                RANK[health.status] >= RANK[status]
              );
            } catch {
              // next node
            }
          }
          return false;
        },
        {
          description: `Elasticsearch cluster ${status} with ${want} nodes`,
          intervalMs: 500,
          timeoutMs: ms,
        },
      );
    },
  };
  // Stopped even if this test process is killed (see reapWithOwner).
  reapWithOwner(
    undefined,
    `${Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join(
        ' ',
      )} bash '${join(STACK_DIR, 'elasticsearch-cluster.sh')}' stop >/dev/null 2>&1`,
  );
  try {
    await script(['start'], timeoutMs);
  } catch (err) {
    await cluster.dispose().catch(() => undefined);
    throw err;
  }
  return cluster;
}
