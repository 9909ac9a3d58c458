import type { Queue, Worker } from 'bullmq';

/**
 * BullMQ keeps a delayed job in a sorted set scored `dueAt * 0x1000 + n`
 * (n orders jobs due in the same millisecond); the due time is the score's
 * high part.
 */
export function delayedDueAt(score: number): number {
  return Math.floor(score / 0x1000);
}

/** What one check saw, for the decision to replace the worker. */
export interface WorkerProgress {
  /** Jobs the worker runs now. */
  active: number;
  /** How long the oldest job due for running has waited past its due time (0: none). */
  overdueMs: number;
  /** Milliseconds since the worker last started a job (or since it was created). */
  sinceLastStartMs: number;
}

/**
 * A worker is stuck when a job has been due for longer than `graceMs` while
 * the worker, with nothing running, started no job for as long: a healthy
 * idle worker picks a due job up within milliseconds. A worker with jobs
 * running is never replaced (replacing it would abandon a job in flight).
 */
export function workerStuck(
  progress: WorkerProgress,
  graceMs: number,
): boolean {
  return (
    progress.active === 0 &&
    progress.overdueMs > graceMs &&
    progress.sinceLastStartMs > graceMs
  );
}

/** Where the watchdog reports (metrics and logs of the app that owns it). */
export interface QueueWatchdogEvents {
  /** After every check: how long the oldest due job has been overdue (0: none). */
  onCheck?: (overdueMs: number) => void;
  /** A check failed (Redis unreachable...): the next one tries again. */
  onCheckError?: (err: Error) => void;
  /** The worker was replaced; `overdueMs` is what the check saw. */
  onReplace?: (overdueMs: number) => void;
}

export interface QueueWatchdogOptions<
  W extends Worker,
> extends QueueWatchdogEvents {
  /** Creates a worker of the queue (listeners attached); called once at start and once per replacement. */
  createWorker: () => W;
  /**
   * Closes a replaced worker and whatever the factory opened for it (its
   * connection). Default: `worker.close(true)`. Bounded by `closeTimeoutMs`.
   */
  disposeWorker?: (worker: W) => Promise<void>;
  /** How long a due job may wait while the worker starts nothing. Default 15 s. */
  graceMs?: number;
  /** Time between checks. Default 5 s. */
  intervalMs?: number;
  /** Longest wait for a replaced worker to close. Default 5 s. */
  closeTimeoutMs?: number;
  /** The queue the worker consumes (read only: its delayed set, wait list and pause flag). */
  queue: Queue;
  /** A client of the queue's Redis (or Redis Cluster), for the reads of each check. */
  redis: QueueReader;
}

/** The two reads a check makes besides the pause flag (an ioredis `Redis` or `Cluster`). */
export interface QueueReader {
  lindex(key: string, index: number): Promise<string | null>;
  zrange(
    key: string,
    start: number,
    stop: number,
    withScores: 'WITHSCORES',
  ): Promise<string[]>;
}

/**
 * Runs a BullMQ worker and replaces it when it stops fetching jobs while
 * jobs are due. A worker's fetch loop can stay parked on a blocking
 * connection that never settles after a connection reset or a Redis
 * failover (BullMQ issues #648, #2466, #3185); the queue then keeps
 * accepting jobs that nobody runs. Each check reads three keys of the queue
 * (one round trip each), so it costs nothing measurable.
 */
export class QueueWatchdog<W extends Worker = Worker> {
  private current: W;
  private active = 0;
  private lastStartAt = Date.now();
  private waitHead?: { id: string; seenAt: number };
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private stopped = false;
  private readonly graceMs: number;
  private readonly intervalMs: number;
  private readonly closeTimeoutMs: number;

  constructor(private readonly options: QueueWatchdogOptions<W>) {
    this.graceMs = options.graceMs ?? 15_000;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.current = this.adopt(options.createWorker());
  }

  /** The worker running now. */
  get worker(): W {
    return this.current;
  }

  /** Starts the periodic checks. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      // One check at a time: a slow Redis must not pile them up.
      this.checking ??= this.check()
        .then(() => undefined)
        .catch((err: unknown) => this.options.onCheckError?.(err as Error))
        .finally(() => {
          this.checking = undefined;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops checking and closes the worker (waiting for its running jobs). */
  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
    await this.current.close();
  }

  /**
   * One check; replaces the worker when it is stuck. Returns what it saw
   * and whether it replaced the worker.
   */
  async check(): Promise<{ overdueMs: number; replaced: boolean }> {
    const overdueMs = await this.overdueMs();
    this.options.onCheck?.(overdueMs);
    const stuck =
      !this.stopped &&
      workerStuck(
        {
          active: this.active,
          overdueMs,
          sinceLastStartMs: Date.now() - this.lastStartAt,
        },
        this.graceMs,
      );
    if (stuck) await this.replace(overdueMs);
    return { overdueMs, replaced: stuck };
  }

  /** How long the oldest due job (delayed past its time, or waiting) has been overdue. */
  private async overdueMs(): Promise<number> {
    const { queue, redis } = this.options;
    // A paused queue runs nothing on purpose.
    if (await queue.isPaused()) {
      this.waitHead = undefined;
      return 0;
    }
    const now = Date.now();
    const [delayed, head] = await Promise.all([
      redis.zrange(queue.keys.delayed, 0, 0, 'WITHSCORES'),
      // Jobs are pushed on the left and fetched from the right: the oldest is last.
      redis.lindex(queue.keys.wait, -1),
    ]);
    const delayedOverdue =
      delayed.length === 2
        ? Math.max(0, now - delayedDueAt(Number(delayed[1])))
        : 0;
    // How long a waiting job has waited is not stored: the time the same job
    // was first seen at the head of the list stands for it.
    if (head === null) this.waitHead = undefined;
    else if (this.waitHead?.id !== head)
      this.waitHead = { id: head, seenAt: now };
    const waitOverdue = this.waitHead ? now - this.waitHead.seenAt : 0;
    return Math.max(delayedOverdue, waitOverdue);
  }

  private async replace(overdueMs: number): Promise<void> {
    const old = this.current;
    this.current = this.adopt(this.options.createWorker());
    this.options.onReplace?.(overdueMs);
    const dispose = this.options.disposeWorker ?? ((w: W) => w.close(true));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      dispose(old).catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Follows the worker's job starts and ends (what the decision needs). */
  private adopt(worker: W): W {
    this.active = 0;
    this.lastStartAt = Date.now();
    worker.on('active', () => {
      if (worker !== this.current) return;
      this.active++;
      this.lastStartAt = Date.now();
    });
    const settled = () => {
      if (worker === this.current) this.active = Math.max(0, this.active - 1);
    };
    worker.on('completed', settled);
    // 'failed' also reports jobs that failed outside this worker's run (no job, or not active here).
    worker.on('failed', (job, _err, prev) => {
      if (job && prev === 'active') settled();
    });
    return worker;
  }
}
