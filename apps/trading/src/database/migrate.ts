import type { LogSink } from '@freeride/contracts';

import { join } from 'node:path';

import { MIGRATIONS_LOCK_ID, MIGRATIONS_TABLE } from './database.constants';

/** Directory of the SQL migrations (`apps/trading/migrations`). */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/**
 * Applies pending migrations with node-pg-migrate. An advisory lock makes
 * instances starting together take turns: the others wait for it (instead of
 * failing to start), then find nothing left to apply.
 */
export async function runMigrations(
  databaseUrl: string,
  log: LogSink,
): Promise<void> {
  // node-pg-migrate 9 is ESM-only; Node 24 loads it from CommonJS.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    advisoryLockMode: 'wait',
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    lockValue: MIGRATIONS_LOCK_ID,
    log: () => undefined,
    migrationsTable: MIGRATIONS_TABLE,
  });
  log.info({ migrations: applied.map((m) => m.name) }, 'database migrated');
}
