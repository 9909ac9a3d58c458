import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

import { findBinary, postgresBinDir } from './binaries';
import { getFreePort } from './free-port';
import type { ManagedProcess } from './managed-process';
import { startProcess } from './managed-process';
import { auditProcessStart } from './secret-audit';
import { makeTempDir, removeTempDir } from './temp-dir';
import { LOOPBACK } from './testing.constants';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** Database created after start. @default 'freeride' */
  database?: string;
  /** Password of {@link StartPostgresOptions.user}. @default 'freeride' */
  password?: string;
  /** Port to listen on. @default a free port */
  port?: number;
  /** How long to wait until it accepts connections. @default 30000 */
  startTimeoutMs?: number;
  /** Superuser created by initdb. @default 'freeride' */
  user?: string;
}

/** A PostgreSQL server started by {@link startPostgres}. */
export interface PostgresServer {
  readonly database: string;
  /** Temp directory holding `data/`, the unix socket and the log. */
  readonly dir: string;
  /** Always `127.0.0.1`. */
  readonly host: string;
  readonly password: string;
  readonly port: number;
  /** `postgres://<user>:<password>@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly user: string;
  /** Stops it (if running) and removes its directory. */
  dispose(): Promise<void>;
  /** Crashes it: `SIGKILL` to the whole process group. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Fast shutdown (`SIGINT`); the directory is kept for {@link PostgresServer.restart}. */
  stop(): Promise<void>;
}

/** uid/gid of the `postgres` system user when we run as root (PostgreSQL refuses root). */
function runAsOwner(): { gid: number; uid: number } | undefined {
  if (process.getuid?.() !== 0) {
    return undefined;
  }
  try {
    const uid = Number(
      execFileSync('id', ['-u', 'postgres']).toString().trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', 'postgres']).toString().trim(),
    );
    return { gid, uid };
  } catch {
    throw new Error(
      'running as root, and there is no postgres user to run PostgreSQL as: install the Debian package postgresql (bash tools/setup/setup.sh)',
    );
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts a throwaway PostgreSQL: initdb into a temp directory (as the `postgres` user when we
 * run as root), start on a free 127.0.0.1 port with its unix socket in that directory, create
 * the database, and wait until it accepts connections. initdb takes about half a second, so
 * no template is cached. Durability is off (`fsync=off`) because the data is thrown away.
 *
 * @throws MissingBinaryError when PostgreSQL is not installed
 */
export async function startPostgres(
  options: StartPostgresOptions = {},
): Promise<PostgresServer> {
  const {
    database = 'freeride',
    // Distinct per server, so the secrets scan can look for it.
    password = `pg-e2e-${randomBytes(9).toString('base64url')}`,
    startTimeoutMs = 30_000,
    user = 'freeride',
  } = options;
  const binDir = postgresBinDir();
  const extra = binDir ? [binDir] : [];
  const initdb = findBinary(['initdb'], 'postgresql', extra);
  const postgres = findBinary(['postgres'], 'postgresql', extra);
  const owner = runAsOwner();
  const port = options.port ?? (await getFreePort());
  const dir = makeTempDir('freeride-pg-', owner);
  const dataDir = join(dir, 'data');
  const pwFile = join(dir, 'pwfile');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  auditProcessStart({ POSTGRES_PASSWORD: password });
  if (owner) {
    execFileSync('chown', [`${owner.uid}:${owner.gid}`, pwFile]);
  }

  const init = await startProcess(
    initdb,
    [
      '-D',
      dataDir,
      '-U',
      user,
      `--pwfile=${pwFile}`,
      '--auth=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
    { ...owner, cwd: dir, logFile: join(dir, 'initdb.log'), name: 'initdb' },
  );
  const initExit = await init.exited;
  if (initExit.code !== 0) {
    throw new Error(
      `initdb failed (${JSON.stringify(initExit)}):\n${init.tail()}`,
    );
  }

  const url = (db: string): string =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${db}`;
  let generation = 0;
  let proc: ManagedProcess;
  const launch = async (): Promise<void> => {
    generation += 1;
    proc = await startProcess(
      postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        `listen_addresses=${LOOPBACK}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
      ],
      {
        ...owner,
        cwd: dir,
        logFile: join(dir, `postgres-${generation}.log`),
        name: `postgres :${port}`,
      },
    );
    await proc.waitUntilReady(
      () => canConnect(url('postgres')),
      `PostgreSQL accepting connections on :${port}`,
      startTimeoutMs,
    );
  };
  await launch();

  const admin = new Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }

  return {
    database,
    dir,
    host: LOOPBACK,
    password,
    port,
    url: url(database),
    user,
    async dispose() {
      await proc.stop({ signal: 'SIGINT' });
      removeTempDir(dir);
    },
    async kill() {
      await proc.kill();
    },
    async restart() {
      await proc.stop({ signal: 'SIGINT' });
      await launch();
    },
    async stop() {
      await proc.stop({ signal: 'SIGINT' });
    },
  };
}
