import { type RedisServer, startRedis, waitFor } from '@freeride/testing';

import { Redis } from 'ioredis';

import { PartitionLeases } from './partition-leases';

describe('PartitionLeases', () => {
  let server: RedisServer;
  const clients: Redis[] = [];

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server.dispose();
  });

  function member(
    owner: string,
    events: string[],
    onChange?: (partitions: number[]) => void,
    releaseMs = 0,
  ) {
    const client = new Redis(server.url, { maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    clients.push(client);
    const leases = new PartitionLeases(client, {
      leaseKey: (p) => `t:lease:{${p}}`,
      leaseMs: 600,
      membersKey: 't:members',
      onAcquire: (p) => {
        events.push(`${owner}+${p}`);
      },
      onRelease: async (p, reason) => {
        events.push(`${owner}-${p}:${reason}`);
        // e.g. waiting for a reader's batch in flight
        if (releaseMs > 0) await new Promise((r) => setTimeout(r, releaseMs));
      },
      onChange,
      owner,
      partitions: 4,
    });
    return { client, leases };
  }

  const held = (...members: { leases: PartitionLeases }[]) =>
    members.map((m) => m.leases.partitions);

  it('shares the partitions, hands surplus to a newcomer and takes over from a dead owner', async () => {
    const events: string[] = [];
    const a = member('a', events);
    await a.leases.start(() => undefined);
    expect(held(a)).toEqual([[0, 1, 2, 3]]);

    const b = member('b', events);
    await b.leases.start(() => undefined);
    await waitFor(
      () =>
        a.leases.partitions.length === 2 && b.leases.partitions.length === 2,
      { description: 'two partitions each', timeoutMs: 10_000 },
    );
    const [ofA, ofB] = held(a, b);
    expect([...ofA, ...ofB].sort()).toEqual([0, 1, 2, 3]);
    // The surplus was released (state saved) before b acquired it.
    for (const p of ofB)
      expect(events.indexOf(`a-${p}:rebalance`)).toBeLessThan(
        events.indexOf(`b+${p}`),
      );

    // a dies without releasing: its leases expire and b takes them.
    a.client.disconnect();
    await waitFor(() => b.leases.partitions.length === 4, {
      description: 'b holds all four after a died',
      timeoutMs: 10_000,
    });
    for (const p of ofA) expect(events).toContain(`b+${p}`);
    // The dead member's timer is still scheduled in this process: end it.
    await a.leases.stop().catch(() => undefined);

    await b.leases.stop();
    expect(b.leases.partitions).toEqual([]);
    expect(events.filter((e) => /^b-.*:stop$/.test(e))).toHaveLength(4);
    const probe = new Redis(server.url);
    clients.push(probe);
    expect(await probe.keys('t:lease:*')).toEqual([]);
  });

  it('gives a partition up as lost when another owner holds its lease', async () => {
    const events: string[] = [];
    const c = member('c', events);
    await c.leases.start(() => undefined);
    const [first] = c.leases.partitions;
    // Someone else got the lease (c was paused past its expiry).
    await c.client.set(`t:lease:{${first}}`, 'intruder', 'PX', 60_000);
    await c.leases.rebalance();
    expect(events).toContain(`c-${first}:lost`);
    expect(c.leases.partitions).not.toContain(first);
    await c.leases.stop();
    await c.client.del(`t:lease:{${first}}`);
  });
  it('reports a round that lost a lease and took it back (expired in a failover) as a change', async () => {
    const events: string[] = [];
    const changes: number[][] = [];
    const d = member('d', events, (held) => changes.push(held));
    await d.leases.start(() => undefined);
    try {
      expect(changes).toEqual([[0, 1, 2, 3]]);
      // The lease expired while Redis could not be reached: nobody holds it now.
      await d.client.del('t:lease:{2}');
      await d.leases.rebalance();
      // Stopped as lost, then taken back: the holder is told to start it again.
      expect(events.slice(-2)).toEqual(['d-2:lost', 'd+2']);
      expect(changes).toEqual([
        [0, 1, 2, 3],
        [0, 1, 2, 3],
      ]);
      // A round that changed nothing reports nothing.
      await d.leases.rebalance();
      expect(changes).toHaveLength(2);
    } finally {
      await d.leases.stop();
    }
  });

  it('keeps the leases it holds alive while slow give-ups run (two of them outlast a lease)', async () => {
    const events: string[] = [];
    // Each give-up takes 400 ms, a lease lives 600 ms: two in one round
    // used to let the partitions kept expire before the next round.
    const e = member('e', events, undefined, 400);
    await e.leases.start(() => undefined);
    const f = member('f', events);
    await f.leases.start(() => undefined);
    try {
      await waitFor(
        () =>
          e.leases.partitions.length === 2 && f.leases.partitions.length === 2,
        { description: 'two partitions each', timeoutMs: 10_000 },
      );
      // Several more rounds: the share stays put.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(events.filter((x) => x.endsWith(':rebalance'))).toHaveLength(2);
      expect(events.filter((x) => x.endsWith(':lost'))).toEqual([]);
      expect(e.leases.partitions).toHaveLength(2);
    } finally {
      await f.leases.stop();
      await e.leases.stop();
    }
  });
});
