import type { Quote } from '@freeride/contracts';

import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

import {
  type Fakes,
  type Gateway,
  gatewayEnv,
  startFakes,
  startGateway,
} from './support/gateway-harness';
import { type RedisServer, startRedis, waitFor } from './support/testing';

// One gateway per file: nestjs-pino keeps its out-of-request logger in a
// module-level variable, so only the first app of a module registry gets
// its start-up and background log lines captured.
describe('market gateway API keys (real Redis, provider fakes)', () => {
  let redis: RedisServer;
  let fakes: Fakes;
  let gateway: Gateway;
  let keyFile: string;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: false });
    fakes = await startFakes();
    keyFile = join(tmpdir(), `fh-keys-${process.pid}-${Date.now()}`);
    await writeFile(keyFile, 'fh-revoked-key\n');
    gateway = await startGateway(
      gatewayEnv(fakes, redis.url, {
        FINNHUB_API_KEYS: '',
        FINNHUB_API_KEYS_FILE: keyFile,
        KEY_FILE_POLL_MS: '100',
      }),
    );
  });

  afterAll(async () => {
    await gateway.stop();
    await fakes.stop();
    await redis.dispose();
    await rm(keyFile, { force: true });
  });

  it('revokes a refused key, takes replaced keys from the mounted secret file without a restart, and never logs them', async () => {
    const refused = await request(gateway.url)
      .get('/v1/quotes/AAPL')
      .expect(200);
    expect(refused.body).toMatchObject({ provider: 'polygon' });
    await writeFile(keyFile, '# rotated\nfh-key-2\n');
    let n = 0;
    await waitFor(
      async () => {
        const res = await request(gateway.url)
          .get(`/v1/quotes/K${n++}X`)
          .expect(200);
        return (res.body as Quote).provider === 'finnhub';
      },
      {
        description: 'Finnhub serving with the replaced key',
        intervalMs: 150,
        timeoutMs: 5000,
      },
    );
    expect(fakes.finnhub.callsByKey.get('fh-key-2')).toBeGreaterThan(0);
    const logs = gateway.logs.join('');
    expect(logs).toContain('provider key revoked');
    expect(logs).toContain('provider keys replaced');
    for (const key of ['fh-revoked-key', 'fh-key-2', 'pg-key', 'av-key'])
      expect(logs).not.toContain(key);
  });
});
