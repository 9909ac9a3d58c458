import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const SCRIPT = join(
  resolve(__dirname, '../../../..'),
  'observability/kibana/load-saved-objects.sh',
);
const run = promisify(execFile);

describe('observability/kibana/load-saved-objects.sh', () => {
  it('imports the NDJSON through the saved-objects API with the xsrf header', async () => {
    const requests: {
      body: string;
      headers: Record<string, unknown>;
      url: string;
    }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
          url: req.url ?? '',
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          req.url?.startsWith('/api/status')
            ? '{"status":{"overall":{"level":"available"}}}'
            : '{"success":true,"successCount":7}',
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { stdout } = await run('bash', [SCRIPT, '--require'], {
        env: { ...process.env, KIBANA_URL: url },
      });
      expect(stdout).toContain('"success":true');
      const imported = requests.find((r) =>
        r.url.startsWith('/api/saved_objects/_import'),
      );
      expect(imported?.url).toBe('/api/saved_objects/_import?overwrite=true');
      expect(imported?.headers['kbn-xsrf']).toBe('true');
      expect(imported?.body).toContain('"id":"freeride-logs"');
      expect(imported?.body).toContain('"id":"freeride-errors-by-service"');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('skips an absent Kibana, and fails on it with --require', async () => {
    const env = { ...process.env, KIBANA_URL: 'http://127.0.0.1:9' };
    await expect(run('bash', [SCRIPT], { env })).resolves.toBeDefined();
    await expect(
      run('bash', [SCRIPT, '--require'], { env }),
    ).rejects.toMatchObject({ code: 1 });
  });
});
