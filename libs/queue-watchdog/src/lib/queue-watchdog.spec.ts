import { type RedisServer, startRedis, waitFor } from '@freeride/testing';

import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

import { QueueWatchdog, delayedDueAt, workerStuck } from './queue-watchdog';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('workerStuck', () => {
  const grace = 1_000;
  it.each([
    [{ active: 0, overdueMs: 1_500, sinceLastStartMs: 1_500 }, true],
    [{ active: 1, overdueMs: 60_000, sinceLastStartMs: 60_000 }, false],
    [{ active: 0, overdueMs: 500, sinceLastStartMs: 60_000 }, false],
    [{ active: 0, overdueMs: 60_000, sinceLastStartMs: 500 }, false],
  ])('%j → %s', (progress, stuck) => {
    expect(workerStuck(progress, grace)).toBe(stuck);
  });
});

describe('QueueWatchdog (real Redis)', () => {
  let server: RedisServer;
  let n = 0;
  const closers: (() => Promise<unknown>)[] = [];

  let reader: Redis;
  jest.setTimeout(30_000);

  beforeAll(async () => {
    server = await startRedis();
    reader = new Redis(server.url);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse())
      await close().catch(() => undefined);
  });

  afterAll(async () => {
    reader.disconnect();
    await server.dispose();
  });

  function connection(): Redis {
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    closers.push(async () => redis.disconnect());
    return redis;
  }

  function newQueue(): Queue {
    const queue = new Queue(`q${++n}`, {
      connection: connection(),
      prefix: '{t}',
    });
    closers.push(() => queue.close());
    return queue;
  }

  /**
   * A watchdog whose first worker never fetches (`autorun: false`: a worker
   * parked for good), and whose replacements are ordinary workers.
   */
  function watchdogOf(
    queue: Queue,
    processor: (job: Job, worker: number) => Promise<void>,
    opts: { firstStuck?: boolean; graceMs?: number } = {},
  ) {
    let created = 0;
    const disposed: number[] = [];
    const replaced: number[] = [];
    const workers = new Map<Worker, number>();
    const watchdog = new QueueWatchdog({
      closeTimeoutMs: 2_000,
      createWorker: () => {
        const index = ++created;
        const worker = new Worker(queue.name, (job) => processor(job, index), {
          autorun: !(opts.firstStuck && index === 1),
          connection: connection(),
          prefix: '{t}',
        });
        workers.set(worker, index);
        return worker;
      },
      disposeWorker: async (worker) => {
        disposed.push(workers.get(worker)!);
        await worker.close(true);
      },
      graceMs: opts.graceMs ?? 300,
      intervalMs: 100,
      onReplace: (overdueMs) => replaced.push(overdueMs),
      queue,
      redis: reader,
    });
    closers.push(() => watchdog.close());
    return { created: () => created, disposed, replaced, watchdog };
  }

  /** A queue whose first worker is parked; each job run is recorded as `id@worker`. */
  function parkedFirstWorker() {
    const queue = newQueue();
    const ran: string[] = [];
    const w = watchdogOf(
      queue,
      async (job, worker) => {
        ran.push(`${job.id}@${worker}`);
      },
      { firstStuck: true },
    );
    return { queue, ran, w };
  }

  it('reads the due time of a delayed job from its BullMQ score', async () => {
    const queue = newQueue();
    const before = Date.now();
    await queue.add('x', {}, { delay: 60_000 });
    const after = Date.now();
    const [, score] = await reader.zrange(
      queue.keys.delayed,
      0,
      0,
      'WITHSCORES',
    );
    const dueAt = delayedDueAt(Number(score));
    expect(dueAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(dueAt).toBeLessThanOrEqual(after + 60_000);
  });

  it('replaces a worker that runs no waiting job, and the new worker runs it', async () => {
    const { queue, ran, w } = parkedFirstWorker();
    await queue.add('x', {}, { jobId: 'job-waiting' });
    w.watchdog.start();
    await waitFor(() => ran.length === 1, {
      description: 'the waiting job runs in a replacement worker',
      timeoutMs: 15_000,
    });
    expect(ran).toEqual(['job-waiting@2']);
    expect(w.disposed).toEqual([1]);
    expect(w.replaced).toHaveLength(1);
    expect(w.replaced[0]).toBeGreaterThan(300);
    expect(w.watchdog.worker.isRunning()).toBe(true);
  });

  it('replaces a worker that leaves a delayed job past its time', async () => {
    const { queue, ran, w } = parkedFirstWorker();
    await queue.add('x', {}, { delay: 100, jobId: 'job-delayed' });
    await sleep(600);
    // Overdue by more than the grace: the first check replaces the worker.
    const seen = await w.watchdog.check();
    expect(seen.replaced).toBe(true);
    expect(seen.overdueMs).toBeGreaterThan(300);
    await waitFor(() => ran.length === 1, {
      description: 'the delayed job runs in the replacement worker',
      timeoutMs: 15_000,
    });
    expect(ran).toEqual(['job-delayed@2']);
  });

  it('leaves a healthy worker alone, and a busy one even with jobs overdue', async () => {
    const queue = newQueue();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ran: string[] = [];
    const w = watchdogOf(queue, async (job) => {
      ran.push(String(job.id));
      if (job.id === 'slow') await held;
    });
    for (let i = 0; i < 5; i++)
      await queue.add('x', {}, { jobId: `quick${i}` });
    await waitFor(() => ran.length === 5, {
      description: 'five quick jobs ran',
      timeoutMs: 15_000,
    });
    await sleep(500);
    expect((await w.watchdog.check()).replaced).toBe(false);
    // Concurrency 1: `after` waits behind `slow`, overdue, while the worker is busy.
    await queue.add('x', {}, { jobId: 'slow' });
    await waitFor(() => ran.includes('slow'), {
      description: 'the slow job started',
      timeoutMs: 15_000,
    });
    await queue.add('x', {}, { jobId: 'after' });
    await w.watchdog.check();
    await sleep(600);
    const seen = await w.watchdog.check();
    expect(seen.overdueMs).toBeGreaterThan(300);
    expect(seen.replaced).toBe(false);
    release();
    await waitFor(() => ran.includes('after'), {
      description: 'the job behind the slow one ran',
      timeoutMs: 15_000,
    });
    expect(w.created()).toBe(1);
  });

  it('does not count a paused queue as overdue', async () => {
    const queue = newQueue();
    const w = watchdogOf(queue, async () => undefined, { firstStuck: true });
    await queue.pause();
    await queue.add('x', {}, { jobId: 'job-paused' });
    await w.watchdog.check();
    await sleep(600);
    expect(await w.watchdog.check()).toEqual({ overdueMs: 0, replaced: false });
    expect(w.created()).toBe(1);
  });
});
