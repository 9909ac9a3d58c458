import { getFreePort, makeTempDir, removeTempDir } from '@freeride/testing';

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');
const run = promisify(execFile);

// The demo stack's Prometheus (tools/stack/prometheus.sh), on its own port and run directory.
describe('the stack Prometheus exposes no unauthenticated lifecycle or write API', () => {
  const dir = makeTempDir('prometheus-stack-');
  let env: NodeJS.ProcessEnv;
  let url = '';

  beforeAll(async () => {
    const port = await getFreePort();
    env = { ...process.env, FREERIDE_RUN: dir, PROMETHEUS_PORT: String(port) };
    url = `http://127.0.0.1:${port}`;
    await run('bash', ['tools/stack/prometheus.sh', 'start'], {
      cwd: ROOT,
      env,
      timeout: 90_000,
    });
  });

  afterAll(async () => {
    await run('bash', ['tools/stack/prometheus.sh', 'stop'], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    removeTempDir(dir);
  });

  it('refuses /-/reload and /-/quit (no --web.enable-lifecycle)', async () => {
    for (const path of ['/-/reload', '/-/quit']) {
      const res = await fetch(`${url}${path}`, { method: 'POST' });
      expect(res.status).toBe(403);
    }
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });

  it('refuses remote writes (no --web.enable-remote-write-receiver)', async () => {
    const res = await fetch(`${url}/api/v1/write`, {
      body: new Uint8Array([0]),
      headers: { 'content-type': 'application/x-protobuf' },
      method: 'POST',
    });
    expect(res.status).toBe(404);
  });
});
