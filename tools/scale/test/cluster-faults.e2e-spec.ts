/**
 * The scale-out topology under faults (issue 13): a three-node Elasticsearch cluster, two
 * ingest instances (each with its indexer) behind HAProxy, and a steady stream of OTLP log
 * records through the load balancer. Each fault is followed by recovery and by the delivery
 * contract: every acknowledged record is indexed exactly once.
 */
import {
  type DeliveryAudit,
  type ElasticsearchCluster,
  type LoadBalancer,
  type RedisServer,
  SteadyLogSender,
  auditDelivery,
  startElasticsearchCluster,
  startLoadBalancer,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';

import { AppInstance } from './support/app-instance';

const TOKEN = 'scale-test-token-0123456789';
const NAMESPACE = 'scale';
const SERVICE = 'steady-scale';
const INDEX = `logs-*-${NAMESPACE}`;

describe('the scale-out topology under faults', () => {
  let esCluster: ElasticsearchCluster;
  let es: Client;
  let redis: RedisServer;
  let ingests: AppInstance[] = [];
  let lb: LoadBalancer;
  let sender: SteadyLogSender;

  /**
   * Every indexed `seq`, paged through a point in time: `_doc` order alone differs between a
   * primary and its replica, so plain `search_after` pages could overlap or skip.
   */
  async function indexedSeqs(): Promise<number[]> {
    await es.indices.refresh({
      expand_wildcards: 'all',
      ignore_unavailable: true,
      index: INDEX,
    });
    const pit = await es.openPointInTime({
      expand_wildcards: 'all',
      ignore_unavailable: true,
      index: INDEX,
      keep_alive: '1m',
    });
    try {
      const seqs: number[] = [];
      let after: (string | number)[] | undefined;
      for (;;) {
        const res = await es.search<{ otel: { attributes: { seq: string } } }>({
          _source: ['otel.attributes.seq'],
          pit: { id: pit.id, keep_alive: '1m' },
          q: `service.name:${SERVICE}`,
          search_after: after,
          size: 5_000,
          sort: ['_shard_doc'],
        });
        const hits = res.hits.hits;
        for (const h of hits) seqs.push(Number(h._source?.otel.attributes.seq));
        if (hits.length < 5_000) return seqs;
        after = hits[hits.length - 1].sort as (string | number)[];
      }
    } finally {
      await es.closePointInTime({ id: pit.id }).catch(() => undefined);
    }
  }

  /** Exactly once: nothing acknowledged is missing, nothing is indexed twice. */
  const EXACTLY_ONCE: DeliveryAudit = { duplicated: [], missing: [] };
  const audit = () => auditDelivery(sender.acked, indexedSeqs);

  /** The node holding the primary shard of the stream's write index. */
  async function primaryNodeOfStream(): Promise<number> {
    const shards = await es.cat.shards({
      format: 'json',
      h: 'index,prirep,node,state',
      index: INDEX,
    });
    const primary = shards.find(
      (s) => s.prirep === 'p' && s.state === 'STARTED',
    );
    const name = String(primary?.node ?? '');
    const node = esCluster.nodes.find((n) => name.endsWith(`-${n.port}`));
    if (!node) throw new Error(`no started primary of ${INDEX}: ${name}`);
    return node.number;
  }

  beforeAll(async () => {
    [esCluster, redis] = await Promise.all([
      startElasticsearchCluster(),
      startRedis({ extraArgs: ['--appendfsync', 'always'] }),
    ]);
    es = new Client({ nodes: [...esCluster.urls], requestTimeout: 30_000 });
    ingests = await Promise.all(
      ['ingest-a', 'ingest-b'].map((name) =>
        AppInstance.create('ingest', name, 'INGEST_PORT', {
          ELASTICSEARCH_URL: esCluster.url,
          ES_NAMESPACE: NAMESPACE,
          INDEXER_FLUSH_MS: '200',
          INGEST_CONSUMER_NAME: name,
          INGEST_TOKENS: `python=${TOKEN}`,
          REDIS_URL: redis.url,
        }),
      ),
    );
    await Promise.all(ingests.map((i) => i.start()));
    lb = await startLoadBalancer({
      servers: ingests.map((i) => i.address),
    });
    sender = new SteadyLogSender({
      intervalMs: 100,
      service: SERVICE,
      target: () => lb.url,
      token: TOKEN,
    });
    sender.start();
    await sender.waitForMoreAcks(100);
  }, 420_000);

  afterAll(async () => {
    await sender?.stop();
    await lb?.dispose();
    await Promise.all(ingests.map((i) => i.stop()));
    await es?.close();
    await redis?.stop();
    await esCluster?.dispose();
  }, 180_000);

  it('every record acknowledged before any fault is indexed exactly once, with a replica', async () => {
    expect(await audit()).toEqual(EXACTLY_ONCE);
    const settings = await es.indices.getSettings({
      expand_wildcards: 'all',
      index: INDEX,
    });
    for (const s of Object.values(settings)) {
      expect(s.settings?.index?.auto_expand_replicas).toBe('0-1');
    }
    await esCluster.waitHealth('green', 3);
  });

  it('an Elasticsearch node holding the primary is killed: its replica takes over, nothing is lost or doubled', async () => {
    const victim = esCluster.nodes[(await primaryNodeOfStream()) - 1];
    await esCluster.kill(victim);
    await sender.waitForMoreAcks(200, 120_000);
    await esCluster.waitHealth('yellow', 2);
    // Indexing goes on on the two nodes left.
    await waitFor(
      async () => (await indexedSeqs()).length >= sender.acked.size - 50,
      {
        description: 'indexing to go on with a node down',
        intervalMs: 1_000,
        timeoutMs: 120_000,
      },
    );
    await esCluster.startNode(victim);
    await esCluster.waitHealth('green', 3, 180_000);
    await sender.waitForMoreAcks(100);
    expect(await audit()).toEqual(EXACTLY_ONCE);
  });

  it('one ingest instance is killed with SIGKILL: the load balancer sends to the other, nothing is lost or doubled', async () => {
    await ingests[0].kill();
    await sender.waitForMoreAcks(200, 120_000);
    await ingests[0].start();
    await sender.waitForMoreAcks(100);
    expect(await audit()).toEqual(EXACTLY_ONCE);
  });
});
