/**
 * The scale-out topology under faults (issue 13): a Redis Cluster (3 masters + 3 replicas, the
 * ingest acknowledging only once a replica has the write), a three-node Elasticsearch cluster,
 * two ingest instances (each with its indexer and fan-out) behind HAProxy, two anomaly services
 * sharing the record-stream partitions by leases (detector state in Redis) and paging through a
 * real Alertmanager, two market gateways sharing one provider budget, two trading evaluators
 * sharing the symbol partitions by leases; a steady stream of OTLP log records through the load
 * balancer, steady quote requests to both gateways and steady ticks on the quote stream. Each
 * fault is followed by a new anomaly, by recovery and by the contract: every acknowledged record
 * is indexed exactly once, every anomaly pages once, every trading trigger owed is delivered once
 * (no idempotency key twice), and no provider is called beyond its plan by the gateways together.
 */
import { partitionOf } from '@freeride/contracts';
import {
  type FakeProviderServer,
  createAlphaVantageFake,
  createFinnhubFake,
  createPolygonFake,
} from '@freeride/market-fakes';
import {
  type DeliveryAudit,
  type ElasticsearchCluster,
  type LoadBalancer,
  type PagingPath,
  type PostgresServer,
  type RedisClusterServer,
  SteadyLogSender,
  auditDelivery,
  startElasticsearchCluster,
  startLoadBalancer,
  startPagingPath,
  startPostgres,
  startRedisCluster,
  waitFor,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { Client as PgClient } from 'pg';

import {
  AnomalyFeed,
  newTemplatePages,
  pagedMoreThanOnce,
} from './support/anomaly-feed';
import { AppInstance } from './support/app-instance';
import { QuoteLoad, overPlan } from './support/quote-load';
import {
  KeyRecordingReceiver,
  TickLoad,
  symbolPerPartition,
} from './support/trading-load';

const TOKEN = 'scale-test-token-0123456789';
const NAMESPACE = 'scale';
const SERVICE = 'steady-scale';
const INDEX = `logs-*-${NAMESPACE}`;
const ADMIN_TOKEN = 'scale-admin-token-0123456789';
const THRESHOLD = 100;
/** Record-stream partitions (the ingest's fan-out and the anomaly service: both default to 4). */
const RECORD_PARTITIONS = 4;
/** One service per fault, each with a new error pattern fed after its fault. */
const PAGER = {
  es: 'pager-es',
  kill: 'pager-kill',
  redis: 'pager-redis',
} as const;

describe('the scale-out topology under faults', () => {
  let esCluster: ElasticsearchCluster;
  let es: Client;
  let redis: RedisClusterServer;
  let redisUrl: string;
  let ingests: AppInstance[] = [];
  let lb: LoadBalancer;
  let sender: SteadyLogSender;
  let fakes: FakeProviderServer[] = [];
  let gateways: AppInstance[] = [];
  let quotes: QuoteLoad;
  const WITHIN_PLAN = { alphavantage: 0, finnhub: 0, polygon: 0 };
  let postgres: PostgresServer;
  let pg: PgClient;
  let redisClient: Cluster;
  let tradings: AppInstance[] = [];
  const receiver = new KeyRecordingReceiver();
  /**
   * When trading instances were SIGKILLed, from 2 s before (a delivery the receiver had then may
   * not be recorded as delivered by its killed sender: at-least-once, it comes again with the
   * same idempotency key) to the kill.
   */
  const inFlightAtKill: { from: number; to: number }[] = [];
  let ticks: TickLoad;
  let paging: PagingPath;
  let anomalies: AppInstance[] = [];
  let feed: AnomalyFeed;

  /** Lease owners of `count` partitions (`<prefix>{<p>}`), by partition. */
  const leaseOwners = (prefix: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, p) =>
        redisClient.get(`${prefix}{${p}}`),
      ),
    );
  const anomalyOwners = () =>
    leaseOwners('freeride:anomaly:lease:', RECORD_PARTITIONS);
  const evaluatorOwners = () => leaseOwners('freeride:trading:eval-lease:', 2);

  /** Services whose anomaly was fed so far. */
  const fed = new Set<string>();
  /**
   * Feeds `service`'s new error pattern through the load balancer; resolves once the ingest
   * acknowledged it (a rejection is also reported where the promise is awaited).
   */
  function feedAnomaly(service: string, message: string): Promise<void> {
    fed.add(service);
    const fedOnce = feed.inject(service, message);
    fedOnce.catch(() => undefined);
    return fedOnce;
  }
  /** Waits for `service`'s anomaly to page. */
  const anomalyPaged = (service: string) =>
    waitFor(() => newTemplatePages(paging.receiver, service) > 0, {
      description: `the ${service} anomaly to page`,
      intervalMs: 500,
      timeoutMs: 120_000,
    });
  /** Every anomaly fed so far paged exactly once, and nothing paged twice. */
  const expectEveryAnomalyPagedOnce = () => {
    expect(
      [...fed].map((service) => [
        service,
        newTemplatePages(paging.receiver, service),
      ]),
    ).toEqual([...fed].map((service) => [service, 1]));
    expect(pagedMoreThanOnce(paging.receiver)).toEqual([]);
  };

  /**
   * Every trigger owed so far, with the ticks paused: as many stored as acknowledged ticks
   * above the threshold, each delivered, and no idempotency key received twice.
   */
  async function triggerAudit(): Promise<Record<string, unknown>> {
    await ticks.stop();
    try {
      const owed = ticks.owed;
      const allowed = owed + ticks.uncertain;
      const count = async (where = '') =>
        Number(
          (
            await pg.query<{ n: string }>(
              `SELECT count(*) AS n FROM alert_triggers ${where}`,
            )
          ).rows[0].n,
        );
      let stored = 0;
      let undelivered = -1;
      await waitFor(
        async () => {
          stored = await count();
          undelivered = await count(`WHERE delivery_status <> 'delivered'`);
          return (
            stored >= owed &&
            undelivered === 0 &&
            new Set(receiver.keys).size >= stored
          );
        },
        {
          description: `${owed} triggers stored and delivered`,
          intervalMs: 500,
          timeoutMs: 120_000,
        },
      ).catch(() => undefined);
      return {
        // Delivered once each: as many distinct keys as stored triggers.
        delivered: new Set(receiver.keys).size === stored,
        duplicates: receiver.duplicates(inFlightAtKill),
        // Every trigger owed stored, and none beyond the uncertain ticks.
        stored:
          stored >= owed && stored <= allowed
            ? 'owed'
            : { allowed, owed, stored },
        // Each one left undelivered, with what PostgreSQL and the delivery queue know of it
        // (a failure reads from here).
        ...(undelivered === 0 ? { undelivered } : await undeliveredTriggers()),
      };
    } finally {
      ticks.start();
    }
  }
  /**
   * The triggers left undelivered, each with what PostgreSQL knows of it, and what the trading
   * instances' delivery queue holds: its jobs by state, each such trigger's job, and the workers
   * connected to it.
   */
  async function undeliveredTriggers(): Promise<{
    queue: Record<string, unknown>;
    undelivered: string[];
  }> {
    const { rows } = await pg.query<{ id: string; row: string }>(
      `SELECT id, concat_ws(' ', id, symbol, delivery_status, 'attempts', attempts,
         'fired', to_char(fired_at, 'HH24:MI:SS.MS'), last_error) AS row
       FROM alert_triggers WHERE delivery_status <> 'delivered' ORDER BY fired_at`,
    );
    // The trading app's DELIVERY_QUEUE and BULLMQ_PREFIX.
    const queue = new Queue('trading-deliveries', {
      connection: redisClient,
      prefix: '{freeride:bull}',
    });
    const undelivered = rows.map((r) => r.row);
    try {
      const jobs: Record<string, unknown> = {};
      for (const { id } of rows) {
        const job = await queue.getJob(id);
        jobs[id] = job && {
          attemptsMade: job.attemptsMade,
          delay: job.delay,
          failedReason: job.failedReason,
          processedOn: job.processedOn,
          state: await job.getState(),
          timestamp: job.timestamp,
        };
      }
      return {
        queue: {
          counts: await queue.getJobCounts(),
          jobs,
          now: Date.now(),
          workers: (await queue.getWorkers()).map(
            (w) => `${w.name} idle ${w.idle}`,
          ),
        },
        undelivered,
      };
    } catch (err) {
      return { queue: { error: (err as Error).message }, undelivered };
    } finally {
      await queue.close();
    }
  }
  const TRIGGERS_ONCE = {
    delivered: true,
    duplicates: [],
    stored: 'owed',
    undelivered: 0,
  };
  const expectTriggersOnce = async () => {
    expect(ticks.owed).toBeGreaterThan(0);
    expect(await triggerAudit()).toEqual(TRIGGERS_ONCE);
  };

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
    [esCluster, redis, postgres, paging] = await Promise.all([
      startElasticsearchCluster(),
      startRedisCluster({ masters: 3, replicas: 1 }),
      startPostgres(),
      startPagingPath('freeride-scale-paging-'),
    ]);
    pg = new PgClient({ connectionString: postgres.url });
    await pg.connect();
    redisUrl = `redis-cluster://${redis.startupNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
    redisClient = new Cluster(redis.startupNodes);
    es = new Client({ nodes: [...esCluster.urls], requestTimeout: 30_000 });
    ingests = await Promise.all(
      ['ingest-a', 'ingest-b'].map((name) =>
        AppInstance.create('ingest', name, 'INGEST_PORT', {
          ELASTICSEARCH_URL: esCluster.url,
          ES_NAMESPACE: NAMESPACE,
          FANOUT_PARTITIONS: String(RECORD_PARTITIONS),
          INDEXER_FLUSH_MS: '200',
          // A 200 means the records are on a master and on one replica.
          INGEST_ACK_REPLICAS: '1',
          INGEST_CONSUMER_NAME: name,
          INGEST_STREAM_PARTITIONS: '4',
          INGEST_TOKENS: `python=${TOKEN}`,
          REDIS_URL: redisUrl,
        }),
      ),
    );
    fakes = await Promise.all([
      createAlphaVantageFake({
        keys: ['av-key'],
        plan: [
          { limit: 1, windowMs: 1000 },
          { limit: 25, windowMs: 86_400_000 },
        ],
      }).start(),
      createFinnhubFake({
        keys: ['fh-key'],
        plan: [{ limit: 10, windowMs: 60_000 }],
      }).start(),
      createPolygonFake({
        keys: ['pg-key'],
        plan: [{ limit: 5, windowMs: 60_000 }],
      }).start(),
    ]);
    const [alphavantage, finnhub, polygon] = fakes;
    gateways = await Promise.all(
      ['gateway-a', 'gateway-b'].map((name) =>
        AppInstance.create('market-gateway', name, 'MARKET_GATEWAY_PORT', {
          ALPHAVANTAGE_API_KEYS: 'av-key',
          ALPHAVANTAGE_BASE_URL: alphavantage.url,
          FINNHUB_API_KEYS: 'fh-key',
          FINNHUB_BASE_URL: finnhub.url,
          FINNHUB_PLAN_LIMITS: '10/60000',
          FINNHUB_WS_URL: finnhub.wsUrl,
          MASSIVE_API_KEYS: 'pg-key',
          MASSIVE_BASE_URL: polygon.url,
          MASSIVE_WS_URL: polygon.wsUrl,
          PROBE_INTERVAL_MS: '0',
          PROVIDER_BUDGET_SHARED: 'true',
          REDIS_URL: redisUrl,
        }),
      ),
    );
    anomalies = await Promise.all(
      ['anomaly-a', 'anomaly-b'].map((name) =>
        AppInstance.create('anomaly', name, 'ANOMALY_PORT', {
          ALERTMANAGER_URLS: paging.alertmanager.url,
          ANOMALY_ALERT_REPOST_MS: '5000',
          // Firing for the whole test: a later notification can only be a second page.
          ANOMALY_ALERT_RESOLVE_AFTER_MS: '900000',
          ANOMALY_CLAIM_IDLE_MS: '5000',
          ANOMALY_CONSUMER_NAME: name,
          ANOMALY_DATA_STREAM: 'anomalies-freeride-scale',
          ANOMALY_IDLE_ADVANCE_MS: '3000',
          ANOMALY_KEEP_FIRING_FOR_MS: '900000',
          ANOMALY_PARTITION_LEASE_MS: '3000',
          ANOMALY_PARTITIONS: String(RECORD_PARTITIONS),
          ANOMALY_SNAPSHOT_MS: '1000',
          ELASTICSEARCH_URL: esCluster.url,
          REDIS_URL: redisUrl,
        }),
      ),
    );
    tradings = await Promise.all(
      ['trading-a', 'trading-b'].map((name) =>
        AppInstance.create('trading', name, 'TRADING_PORT', {
          OTEL_SDK_DISABLED: 'true',
          TRADING_ADMIN_TOKEN: ADMIN_TOKEN,
          TRADING_DATABASE_URL: postgres.url,
          TRADING_DELIVERY_BACKOFF_BASE_MS: '50',
          TRADING_DELIVERY_BACKOFF_MAX_MS: '400',
          TRADING_EVAL_BLOCK_MS: '50',
          // The two share the partitions by leases: a killed one's are taken over.
          TRADING_EVAL_CONSUMER_NAME: name.replace('trading', 'evaluator'),
          TRADING_EVAL_LEASE_MS: '2000',
          TRADING_EVAL_PARTITION_COUNT: '2',
          TRADING_EVAL_START: 'earliest',
          // Partition switches and recoveries (info) are what a failed phase is read from.
          TRADING_LOG_LEVEL: 'info',
          TRADING_REDIS_URL: redisUrl,
          TRADING_WEBHOOK_ALLOWLIST: '127.0.0.1',
        }),
      ),
    );
    // The first trading instance applies the migrations before the others start.
    await tradings[0].start();
    await Promise.all(
      [...ingests, ...gateways, ...anomalies, tradings[1]].map((i) =>
        i.start(),
      ),
    );
    lb = await startLoadBalancer({
      servers: ingests.map((i) => i.address),
    });
    // From now on: a new error in a service counts fully after its first minute.
    feed = new AnomalyFeed({
      services: Object.values(PAGER),
      target: () => lb.url,
      token: TOKEN,
    });
    feed.start();
    await receiver.start();
    const trader = (await (
      await fetch(`${tradings[0].url}/v1/admin/traders`, {
        body: JSON.stringify({ name: 'scale' }),
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          'content-type': 'application/json',
        },
        method: 'POST',
      })
    ).json()) as { apiKey: string };
    const symbols = symbolPerPartition(2);
    for (const symbol of symbols) {
      const res = await fetch(`${tradings[1].url}/v1/alerts`, {
        body: JSON.stringify({
          condition: { threshold: THRESHOLD, type: 'price_above' },
          delivery: { webhookUrl: `${receiver.url}/alerts` },
          symbol,
          trigger: { cooldownSeconds: 0, mode: 'every_time' },
        }),
        headers: {
          authorization: `Bearer ${trader.apiKey}`,
          'content-type': 'application/json',
        },
        method: 'POST',
      });
      if (res.status !== 201)
        throw new Error(
          `alert on ${symbol}: ${res.status} ${await res.text()}`,
        );
    }
    // Both evaluators learn the rules (LISTEN/NOTIFY) before the first tick.
    await new Promise((r) => setTimeout(r, 1000));
    ticks = new TickLoad(redisClient, symbols, THRESHOLD);
    ticks.start();
    quotes = new QuoteLoad(() =>
      gateways.filter((g) => g.proc?.running).map((g) => g.url),
    );
    quotes.start();
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
    await feed?.stop();
    await quotes?.stop();
    await ticks?.stop();
    await lb?.dispose();
    await Promise.all(
      [...ingests, ...gateways, ...anomalies, ...tradings].map((i) => i.stop()),
    );
    await receiver.stop();
    await paging?.close();
    redisClient?.disconnect();
    await pg?.end();
    await postgres?.dispose();
    await Promise.all(fakes.map((f) => f.stop()));
    await es?.close();
    await redis?.dispose();
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
    expect(quotes.served).toBeGreaterThan(0);
    expect(overPlan(fakes)).toEqual(WITHIN_PLAN);
    await expectTriggersOnce();
    // Both anomaly services and both evaluators hold a share of the partitions.
    await waitFor(
      async () => {
        const owners = await anomalyOwners();
        return ['anomaly-a', 'anomaly-b'].every(
          (name) => owners.filter((o) => o === name).length === 2,
        );
      },
      { description: 'two record partitions per anomaly service' },
    );
    await waitFor(
      async () =>
        (await evaluatorOwners()).sort().join() === 'evaluator-a,evaluator-b',
      { description: 'one symbol partition per evaluator' },
    );
    expect(pagedMoreThanOnce(paging.receiver)).toEqual([]);
  });

  it('a Redis master is killed: its replica takes over, nothing acknowledged is lost or doubled, every trigger owed is delivered once', async () => {
    // The master of the first ingest stream partition.
    const slot = Number(
      await redisClient.cluster('KEYSLOT', 'freeride:ingest:logs:{p0}'),
    );
    const master = await redis.masterOf(slot);
    await master.kill();
    await sender.waitForMoreAcks(200, 120_000);
    // A new anomaly after the failover (paging is checked at the end of the phase).
    const anomalyFed = feedAnomaly(
      PAGER.redis,
      'ledger write rejected because the replica set lost quorum during the commit of batch',
    );
    await master.restart();
    await redis.waitHealthy(60_000);
    await sender.waitForMoreAcks(100);
    expect(await audit()).toEqual(EXACTLY_ONCE);
    expect(overPlan(fakes)).toEqual(WITHIN_PLAN);
    await expectTriggersOnce();
    await anomalyFed;
    await anomalyPaged(PAGER.redis);
    expectEveryAnomalyPagedOnce();
  });

  it('an Elasticsearch node holding the primary is killed: its replica takes over, nothing is lost or doubled', async () => {
    const victim = esCluster.nodes[(await primaryNodeOfStream()) - 1];
    await esCluster.kill(victim);
    await sender.waitForMoreAcks(200, 120_000);
    await esCluster.waitHealth('yellow', 2);
    const anomalyFed = feedAnomaly(
      PAGER.es,
      'invoice archive upload failed since the object store answered 507 insufficient storage for tenant',
    );
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
    expect(overPlan(fakes)).toEqual(WITHIN_PLAN);
    await expectTriggersOnce();
    await anomalyFed;
    await anomalyPaged(PAGER.es);
    expectEveryAnomalyPagedOnce();
  });

  it('one instance of each app is killed with SIGKILL: the others take its work over, nothing is lost or doubled, every anomaly pages once, no plan is exceeded', async () => {
    const servedBefore = quotes.served;
    const owedBefore = ticks.owed;
    // The anomaly service holding the partition of the next anomaly's service.
    const partition = partitionOf(PAGER.kill, RECORD_PARTITIONS);
    const owner = (await anomalyOwners())[partition];
    const anomalyVictim = anomalies.find((a) => a.name === owner);
    if (!anomalyVictim) throw new Error(`no owner of partition ${partition}`);
    const anomalySurvivor = anomalies.find((a) => a !== anomalyVictim)!;
    const killedAt = Date.now();
    await Promise.all([
      ingests[0].kill(),
      gateways[0].kill(),
      tradings[0].kill(),
      anomalyVictim.kill(),
    ]);
    inFlightAtKill.push({ from: killedAt - 2_000, to: Date.now() });
    // The survivors take the dead instances' partitions over once their leases expire.
    await waitFor(
      async () =>
        (await anomalyOwners()).every((o) => o === anomalySurvivor.name),
      { description: `${anomalySurvivor.name} holds every record partition` },
    );
    await waitFor(
      async () => (await evaluatorOwners()).every((o) => o === 'evaluator-b'),
      { description: 'evaluator-b holds both symbol partitions' },
    );
    // Fed and paged while the owner of its partition is down.
    await feedAnomaly(
      PAGER.kill,
      'certificate chain of the upstream tls peer expired and the client aborted the handshake',
    );
    await anomalyPaged(PAGER.kill);
    await sender.waitForMoreAcks(200, 120_000);
    await waitFor(() => quotes.served > servedBefore, {
      description: 'a quote served by the gateway left',
      timeoutMs: 60_000,
    });
    await waitFor(() => ticks.owed > owedBefore + 4, {
      description: 'ticks owed while an evaluator is down',
      timeoutMs: 60_000,
    });
    // Every trigger owed, on both partitions, delivered once by the evaluator left.
    await expectTriggersOnce();
    await Promise.all([
      ingests[0].start(),
      gateways[0].start(),
      tradings[0].start(),
      anomalyVictim.start(),
    ]);
    await sender.waitForMoreAcks(100);
    expect(await audit()).toEqual(EXACTLY_ONCE);
    expect(overPlan(fakes)).toEqual(WITHIN_PLAN);
    await expectTriggersOnce();
    // Partitions handed back to the restarted instance keep their state: nothing pages again.
    expectEveryAnomalyPagedOnce();
    expect([...fed].sort()).toEqual(Object.values(PAGER).sort());
  });
});
