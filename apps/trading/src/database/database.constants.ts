/** Injection token of the app's `pg` Pool. */
export const PG_POOL = Symbol('PG_POOL');
/** Injection token of the app's general-purpose ioredis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Table where node-pg-migrate records applied migrations. */
export const MIGRATIONS_TABLE = 'pgmigrations';
/**
 * Advisory lock held while migrating: node-pg-migrate's own default, so that
 * its CLI run by hand and the apps starting take turns too.
 */
export const MIGRATIONS_LOCK_ID = 7241865325823964;
