/** Injection token of the app's `pg` Pool. */
export const PG_POOL = Symbol('PG_POOL');
/** Injection token of the app's general-purpose ioredis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Table where node-pg-migrate records applied migrations. */
export const MIGRATIONS_TABLE = 'pgmigrations';
