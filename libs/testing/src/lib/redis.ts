import { createConnection } from 'node:net';
import { join } from 'node:path';

import { findBinary } from './binaries';
import { getFreePort } from './free-port';
import type { ManagedProcess } from './managed-process';
import { startProcess } from './managed-process';
import { makeTempDir, removeTempDir } from './temp-dir';
import { LOOPBACK } from './testing.constants';

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Turn on the append-only file (with `appendfsync always`, so nothing acknowledged is lost
   * on SIGKILL).
   * @default true
   */
  appendOnly?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '64mb']`. @default [] */
  extraArgs?: string[];
  /** Port to listen on. @default a free port */
  port?: number;
  /** How long to wait for PING. @default 15000 */
  startTimeoutMs?: number;
}

/** A redis-server started by {@link startRedis}. */
export interface RedisServer {
  /** Data directory (AOF, RDB, log); kept across {@link RedisServer.restart}. */
  readonly dir: string;
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** Log file of the current process. */
  readonly logFile: string;
  /** Listening port; the same after a restart. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops it (if running) and removes its data directory. */
  dispose(): Promise<void>;
  /** Crashes it: `SIGKILL`, no final save. Data directory kept. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (AOF data survives); waits for PING. */
  restart(): Promise<void>;
  /** True while the process runs. */
  running(): boolean;
  /** Graceful shutdown (`SIGTERM`); data directory kept so {@link RedisServer.restart} works. */
  stop(): Promise<void>;
}

/**
 * Sends `PING` to a Redis on 127.0.0.1 and resolves true on `+PONG`.
 */
export function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    let buffer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\r\n')) {
        done(buffer.startsWith('+PONG'));
      }
    });
  });
}

/**
 * Starts a fresh `redis-server` on a free 127.0.0.1 port in a temp directory and waits until it
 * answers PING. The directory is removed at process exit (or by `dispose()`).
 *
 * @throws MissingBinaryError when redis-server is not installed
 * @see https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/
 */
export async function startRedis(
  options: StartRedisOptions = {},
): Promise<RedisServer> {
  const {
    appendOnly = true,
    extraArgs = [],
    startTimeoutMs = 15_000,
  } = options;
  const binary = findBinary(['redis-server'], 'redis-server');
  const port = options.port ?? (await getFreePort());
  const dir = makeTempDir('freeride-redis-');
  const args = [
    '--bind',
    LOOPBACK,
    '--port',
    String(port),
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'no',
    '--save',
    '',
    '--appendonly',
    appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...extraArgs,
  ];
  let generation = 0;
  let proc: ManagedProcess;

  const launch = async (): Promise<void> => {
    generation += 1;
    proc = await startProcess(binary, args, {
      cwd: dir,
      logFile: join(dir, `redis-${generation}.log`),
      name: `redis-server :${port}`,
    });
    await proc.waitUntilReady(
      () => pingRedis(port),
      `redis PING on :${port}`,
      startTimeoutMs,
    );
  };
  await launch();

  const server: RedisServer = {
    dir,
    host: LOOPBACK,
    get logFile() {
      return proc.logFile;
    },
    port,
    url: `redis://${LOOPBACK}:${port}`,
    async dispose() {
      await proc.stop();
      removeTempDir(dir);
    },
    async kill() {
      await proc.kill();
    },
    async restart() {
      await proc.stop();
      await launch();
    },
    running: () => proc.running,
    async stop() {
      await proc.stop();
    },
  };
  return server;
}
