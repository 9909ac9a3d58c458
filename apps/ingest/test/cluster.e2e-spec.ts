import { STREAM_KEYS } from '@freeride/contracts';
import { slotOf } from '@freeride/stream-consumer';
import {
  type RedisClusterServer,
  ensureElasticsearch,
  startRedisCluster,
  waitFor,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';

import { IngestProcess, uniqueNamespace } from './support/ingest-harness';
import { logsRequest } from './support/otlp-builders';
import { SteadySender, expectExactlyOnce } from './support/steady-sender';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two ingest instances on a Redis Cluster (3 masters, 1 replica each) with
 * partitioned streams and `WAIT` for one replica: a master is killed, then
 * an instance is killed with SIGKILL, under a steady sender.
 */
describe('ingest on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let es: Client;
  let esUrl: string;
  let redisUrl: string;
  const clusterEnv = {
    INGEST_ACK_REPLICAS: '1',
    INGEST_ACK_TIMEOUT_MS: '2000',
    INGEST_CLAIM_IDLE_MS: '3000',
    INGEST_STREAM_PARTITIONS: '4',
  };

  beforeAll(async () => {
    esUrl = (await ensureElasticsearch()).url;
    es = new Client({ node: esUrl });
    cluster = await startRedisCluster();
    redisUrl = `redis-cluster://${cluster.startupNodes
      .map((n) => `${n.host}:${n.port}`)
      .join(',')}`;
  }, 90_000);

  afterAll(async () => {
    await cluster?.dispose();
    await es?.close();
  });

  it('answers 503, not 200, when fewer replicas than INGEST_ACK_REPLICAS acknowledge', async () => {
    const ingest = new IngestProcess({
      env: {
        ...clusterEnv,
        INGEST_ACK_REPLICAS: '2',
        INGEST_ACK_TIMEOUT_MS: '300',
      },
      esUrl,
      namespace: uniqueNamespace('ackfail'),
      redisUrl,
    });
    await ingest.start();
    try {
      // Ready once the cluster client knows every slot's master.
      await waitFor(
        async () => (await fetch(`${ingest.url}/health/ready`)).ok,
        { description: 'ingest ready', timeoutMs: 30_000 },
      );
      // Each master has one replica: two can never acknowledge.
      const res = await ingest.post(
        'logs',
        JSON.stringify(
          logsRequest('ack-fail', [
            { body: 'not replicated enough', timeMs: Date.now() },
          ]),
        ),
      );
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.body).toMatch(/replicas acknowledged/);
    } finally {
      await ingest.stop();
    }
  });

  it('indexes every acknowledged record exactly once through a master failover and a SIGKILLed instance', async () => {
    const namespace = uniqueNamespace('cluster');
    const instances = ['a', 'b'].map(
      (name) =>
        new IngestProcess({
          env: { ...clusterEnv, INGEST_CONSUMER_NAME: `cluster-${name}` },
          esUrl,
          namespace,
          redisUrl,
        }),
    );
    for (const instance of instances) await instance.start();
    const [a, b] = instances;
    let bAlive = true;
    let turn = 0;
    // Any load balancer: alternate between the live instances.
    const sender = new SteadySender(
      () => (bAlive && turn++ % 2 ? b.url : a.url),
      'steady-cluster',
      50,
      10,
    );
    try {
      sender.start();
      await waitFor(() => sender.acked.size >= 100, {
        description: '100 records acknowledged before the faults',
        timeoutMs: 60_000,
      });

      // 1. The master of partition 0's logs stream dies; its replica has
      //    every acknowledged write (WAIT) and is promoted.
      const slot = slotOf(STREAM_KEYS.ingest('logs', 0));
      const master = await cluster.masterOf(slot);
      await master.kill();
      await waitFor(async () => (await cluster.masterOf(slot)) !== master, {
        description: 'replica promoted',
        intervalMs: 250,
        timeoutMs: 60_000,
      });
      await cluster.waitHealthy(60_000);
      const ackedAfterFailover = sender.acked.size;
      await waitFor(() => sender.acked.size >= ackedAfterFailover + 100, {
        description: 'acknowledging again after the failover',
        timeoutMs: 60_000,
      });

      // 2. One instance is killed mid-batch; the other claims its pending entries.
      bAlive = false;
      await b.kill();
      const ackedAtKill = sender.acked.size;
      await waitFor(() => sender.acked.size >= ackedAtKill + 100, {
        description: 'the surviving instance keeps acknowledging',
        timeoutMs: 60_000,
      });
      await sleep(2_000);
      await sender.stop();
      // Some sends were refused during the failover or went to the killed
      // instance; none of those is in `acked`.
      expect(sender.acked.size).toBeGreaterThanOrEqual(300);
      await expectExactlyOnce(es, namespace, 'steady-cluster', sender.acked);
    } finally {
      await sender.stop();
      for (const instance of instances) await instance.stop();
    }
  }, 300_000);
});
