import { Cluster, Redis } from 'ioredis';

import { parseRedisUrl } from './redis-url';

/** A single Redis or a Redis Cluster (ioredis): what every app holds. */
export type RedisClient = Redis | Cluster;

/** Options of {@link createRedisClient}, the same for one server and a cluster. */
export interface RedisClientOptions {
  /** `CLIENT SETNAME` of every connection (shown by `CLIENT LIST`). */
  connectionName?: string;
  /**
   * Queue commands while (re)connecting; `false` fails them at once.
   * @default true
   */
  enableOfflineQueue?: boolean;
  /**
   * Reconnect attempts a command waits through before it fails; `null`
   * waits forever (blocking readers).
   * @default 20 (ioredis)
   */
  maxRetriesPerRequest?: number | null;
}

/**
 * How long a cluster client waits before retrying a command that hit a
 * failover (`CLUSTERDOWN`, a master that stopped answering), ms.
 */
const CLUSTER_FAILOVER_RETRY_MS = 200;

/**
 * A client for `url` (see `parseRedisUrl`): an ioredis `Redis` for
 * `redis://` and an ioredis `Cluster` for `redis-cluster://` seed nodes.
 * On a cluster every command (and every Lua script and pipeline) must name
 * keys of one hash slot; the apps' keys are hash-tagged for that.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/
 */
export function createRedisClient(
  url: string,
  options: RedisClientOptions = {},
): RedisClient {
  const target = parseRedisUrl(url);
  const { connectionName, enableOfflineQueue, maxRetriesPerRequest } = options;
  if (target.kind === 'single') {
    return new Redis(target.url, {
      ...(connectionName !== undefined ? { connectionName } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest } : {}),
    });
  }
  return new Cluster(target.nodes, {
    clusterRetryStrategy: (times) => Math.min(100 + times * 100, 2000),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    redisOptions: {
      ...(connectionName !== undefined ? { connectionName } : {}),
      ...(maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
      ...(target.username !== undefined ? { username: target.username } : {}),
    },
    retryDelayOnClusterDown: CLUSTER_FAILOVER_RETRY_MS,
    retryDelayOnFailover: CLUSTER_FAILOVER_RETRY_MS,
    retryDelayOnTryAgain: CLUSTER_FAILOVER_RETRY_MS,
  });
}

/** Whether `client` is a Redis Cluster client. */
export function isRedisCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/**
 * A new client to the same Redis or cluster with the same options, e.g. for
 * a blocking read, which holds its connection.
 */
export function duplicateRedisClient(
  client: RedisClient,
  options: Pick<
    RedisClientOptions,
    'connectionName' | 'enableOfflineQueue'
  > = {},
): RedisClient {
  const { connectionName, enableOfflineQueue } = options;
  if (!isRedisCluster(client)) {
    return client.duplicate({
      ...(connectionName !== undefined ? { connectionName } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    });
  }
  // Cluster.duplicate merges options shallowly: merge the node options here.
  return client.duplicate([], {
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    redisOptions: {
      ...client.options.redisOptions,
      ...(connectionName !== undefined ? { connectionName } : {}),
    },
  });
}

/**
 * Resolves once the client is ready (every slot's master known, on a
 * cluster), or rejects after `timeoutMs`.
 */
export async function redisReady(
  client: RedisClient,
  timeoutMs: number,
): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
