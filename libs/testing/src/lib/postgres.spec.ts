import { Client } from 'pg';

import type { PostgresServer } from './postgres';
import { startPostgres } from './postgres';

describe('startPostgres', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.dispose();
  });

  it('creates the database and accepts password logins on 127.0.0.1', async () => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ db: string; user: string }>(
      'SELECT current_database() AS db, current_user AS user',
    );
    await client.end();
    expect(rows).toEqual([{ db: 'freeride', user: 'freeride' }]);
  });

  it('keeps data across a restart', async () => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    await client.query(
      'CREATE TABLE t (v text); INSERT INTO t VALUES ($$kept$$)',
    );
    await client.end();

    await server.restart();

    const again = new Client({ connectionString: server.url });
    await again.connect();
    const { rows } = await again.query<{ v: string }>('SELECT v FROM t');
    await again.end();
    expect(rows).toEqual([{ v: 'kept' }]);
  });

  it('stops and refuses connections afterwards', async () => {
    await server.stop();
    const client = new Client({
      connectionString: server.url,
      connectionTimeoutMillis: 1000,
    });
    await expect(client.connect()).rejects.toThrow();
  });
});
