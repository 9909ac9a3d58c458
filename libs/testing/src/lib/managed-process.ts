import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

import { auditProcessLog, auditProcessStart } from './secret-audit';
import { waitFor } from './wait-for';

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  /** Working directory. @default process.cwd() */
  cwd?: string;
  /** Extra environment variables, merged over `process.env`. @default {} */
  env?: Record<string, string | undefined>;
  /** Group id to run as (only when running as root). */
  gid?: number;
  /** File that receives stdout and stderr (appended). */
  logFile: string;
  /** Short name used in error messages. @default the command's basename */
  name?: string;
  /** User id to run as (only when running as root, e.g. PostgreSQL's). */
  uid?: number;
}

/** Options of {@link ManagedProcess.stop}. */
export interface StopProcessOptions {
  /**
   * Signal sent to the main process first (PostgreSQL's fast shutdown is `SIGINT`).
   * @default 'SIGTERM'
   */
  signal?: NodeJS.Signals;
  /**
   * How long to wait for exit before the whole process group gets `SIGKILL`.
   * @default 15000
   */
  timeoutMs?: number;
}

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ManagedProcess>();
let exitHooked = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Kills the process group `pid` once this test process is gone, however it ended. Node's
 * 'exit' and signal hooks below do not cover a SIGKILL, and under Jest they are not even
 * reached: a test's `process` is a copy with its own listeners, which the real process
 * never emits to. A detached shell polls both processes once a second; it ends with the
 * server, or kills the server's group when its owner is gone.
 */
export function reapWithOwner(
  pid: number | undefined,
  // Checked again first: the server may have ended during the last second.
  onOwnerGone = `kill -0 ${pid} 2>/dev/null && kill -KILL -${pid}`,
  ownerPid: number = process.pid,
): void {
  // Without a server pid the shell lives as long as its owner (the command must be idempotent).
  const serverGone =
    pid === undefined ? '' : `kill -0 ${pid} 2>/dev/null || exit 0; `;
  const script = `while kill -0 ${ownerPid} 2>/dev/null; do ${serverGone}sleep 1; done; ${onOwnerGone}`;
  spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

/**
 * A server process started by {@link startProcess}: it runs in its own process group, its
 * output goes to `logFile`, and it does not keep the Node event loop alive. Every process
 * still running when Node exits, or when it is ended by any signal (SIGKILL included, see
 * {@link reapWithOwner}), gets `SIGKILL` with its group, so a test that forgets to stop a
 * server (or a run stopped from outside) does not leak it.
 */
export class ManagedProcess {
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  private exitInfo: ProcessExit | undefined;

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly logFile: string,
    exited: Promise<ProcessExit>,
  ) {
    this.exited = exited.then((info) => {
      this.exitInfo = info;
      live.delete(this);
      return info;
    });
    live.add(this);
    if (!exitHooked) {
      exitHooked = true;
      const killLive = () => {
        for (const proc of live) {
          killGroup(proc.pid, 'SIGKILL');
        }
      };
      process.once('exit', killLive);
      // A signal ends Node without 'exit' (a CI time limit, Ctrl-C): kill them, then end as the
      // signal would have (the handler is gone once run, so the signal's default action applies).
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
        process.once(signal, () => {
          killLive();
          process.kill(process.pid, signal);
        });
      }
    }
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Exit code and signal once the process has exited. */
  get exitStatus(): ProcessExit | undefined {
    return this.exitInfo;
  }

  /** The last `lines` lines of the log file (for error messages). */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8')
        .split('\n')
        .slice(-lines - 1)
        .join('\n');
    } catch {
      return '';
    }
  }

  /**
   * Sends `signal` to the main process, waits (bounded) for it to exit, then kills whatever is
   * left of its process group. Resolves once the process has exited; no-op when it has already.
   */
  async stop(options: StopProcessOptions = {}): Promise<ProcessExit> {
    const { signal = 'SIGTERM', timeoutMs = 15_000 } = options;
    if (this.running) {
      try {
        process.kill(this.pid, signal);
      } catch {
        // Already gone.
      }
      // A ref'd timer keeps a plain script alive while it waits for the exit.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const outcome = await Promise.race([this.exited, timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        killGroup(this.pid, 'SIGKILL');
      }
    }
    const info = await this.exited;
    killGroup(this.pid, 'SIGKILL');
    return info;
  }

  /** Sends `SIGKILL` to the whole process group (a crash) and waits for the exit. */
  async kill(): Promise<ProcessExit> {
    killGroup(this.pid, 'SIGKILL');
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      return await this.exited;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Polls `ready` until it holds, failing early with the log tail if the process exits first.
   */
  async waitUntilReady(
    ready: () => boolean | Promise<boolean>,
    description: string,
    timeoutMs = 30_000,
  ): Promise<void> {
    const exitedEarly = new AbortController();
    void this.exited.then(() => exitedEarly.abort(new Error('process exited')));
    try {
      await waitFor(ready, {
        description,
        intervalMs: 100,
        signal: exitedEarly.signal,
        timeoutMs,
      });
    } catch (err) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exitStatus)}) before ${description}; log ${this.logFile}:\n${this.tail()}`,
          { cause: err },
        );
      }
      await this.kill();
      throw new Error(
        `${this.name} not ready: ${description} (killed it); log ${this.logFile}:\n${this.tail()}`,
        { cause: err },
      );
    }
  }
}

/**
 * Starts `cmd` with `args` in a new process group, output appended to `opts.logFile`.
 * Resolves once the process has been spawned (not when it is ready: use
 * {@link ManagedProcess.waitUntilReady}).
 *
 * @throws when the binary cannot be spawned (ENOENT, EACCES)
 */
export async function startProcess(
  cmd: string,
  args: readonly string[],
  opts: StartProcessOptions,
): Promise<ManagedProcess> {
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      detached: true,
      env: { ...process.env, ...opts.env },
      gid: opts.gid,
      stdio: ['ignore', fd, fd],
      uid: opts.uid,
    });
    auditProcessStart(opts.env ?? {});
    const name = opts.name ?? cmd.split('/').pop() ?? cmd;
    const exited = new Promise<ProcessExit>((resolve) =>
      child.once('exit', (code, signal) => {
        // Before anyone awaiting the exit removes the log's temp dir.
        auditProcessLog(name, child.pid as number, opts.logFile);
        resolve({ code, signal });
      }),
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    const pid = child.pid as number;
    reapWithOwner(pid);
    return new ManagedProcess(name, pid, opts.logFile, exited);
  } finally {
    closeSync(fd);
  }
}
