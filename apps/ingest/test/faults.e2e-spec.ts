import {
  type RedisServer,
  ensureElasticsearch,
  startElasticsearch,
  startRedis,
  stopElasticsearch,
} from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';

import { IngestProcess, uniqueNamespace } from './support/ingest-harness';
import { SteadySender, expectExactlyOnce } from './support/steady-sender';

describe('ingest fault tolerance', () => {
  let es: Client;
  let esUrl: string;
  let redis: RedisServer;

  beforeAll(async () => {
    esUrl = (await ensureElasticsearch()).url;
    es = new Client({ node: esUrl });
    redis = await startRedis({ extraArgs: ['--appendfsync', 'always'] });
  });

  afterAll(async () => {
    await startElasticsearch({ url: esUrl });
    await redis?.stop();
    await es?.close();
  });

  // Elasticsearch alone can take minutes to restart on a busy machine: a longer budget.
  it('indexes every acknowledged record exactly once after Elasticsearch is stopped for 60 s', async () => {
    const namespace = uniqueNamespace('esdown');
    const ingest = new IngestProcess({ esUrl, namespace, redisUrl: redis.url });
    await ingest.start();
    const sender = new SteadySender(() => ingest.url, 'steady-es');
    try {
      sender.start();
      await new Promise((r) => setTimeout(r, 5_000));
      await stopElasticsearch({ url: esUrl });
      const ackedBeforeOutage = sender.acked.size;
      await new Promise((r) => setTimeout(r, 60_000));
      // The ingest kept acknowledging into the durable stream during the outage.
      expect(sender.acked.size).toBeGreaterThan(ackedBeforeOutage);
      await startElasticsearch({ url: esUrl });
      await new Promise((r) => setTimeout(r, 5_000));
      await sender.stop();
      await expectExactlyOnce(es, namespace, 'steady-es', sender.acked);
    } finally {
      await sender.stop();
      await ingest.stop();
    }
  }, 600_000);

  it('loses no acknowledged record when the ingest is killed with SIGKILL mid-stream', async () => {
    const namespace = uniqueNamespace('kill');
    const ingest = new IngestProcess({ esUrl, namespace, redisUrl: redis.url });
    await ingest.start();
    const sender = new SteadySender(() => ingest.url, 'steady-kill', 50, 10);
    try {
      sender.start();
      await new Promise((r) => setTimeout(r, 3_000));
      await ingest.kill();
      const ackedAtKill = sender.acked.size;
      expect(ackedAtKill).toBeGreaterThan(0);
      await ingest.start();
      await new Promise((r) => setTimeout(r, 3_000));
      await sender.stop();
      expect(sender.acked.size).toBeGreaterThan(ackedAtKill);
      await expectExactlyOnce(es, namespace, 'steady-kill', sender.acked);
    } finally {
      await sender.stop();
      await ingest.stop();
    }
  });
});
