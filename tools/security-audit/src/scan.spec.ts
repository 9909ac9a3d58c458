import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { findSecrets, readSecrets, scanElasticsearch, scanLogs } from './scan';

const ES_URL = (process.env['ES_URL'] ?? 'http://127.0.0.1:9200').replace(
  /\/$/,
  '',
);

describe('secrets scan', () => {
  let dir: string;
  const index = `security-audit-spec-${process.pid}`;
  const planted = `planted-secret-${process.pid}-0123456789`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'security-audit-'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'secrets.txt'), `${planted}\nfreeride\nabc\n`);
    const res = await fetch(`${ES_URL}/${index}/_doc?refresh=true`, {
      body: JSON.stringify({ message: `GET /quote?token=${planted}` }),
      headers: { 'content-type': 'application/json' },
      method: 'POST',
    });
    if (res.status !== 201) throw new Error(`index: HTTP ${res.status}`);
  });

  afterAll(async () => {
    rmSync(dir, { force: true, recursive: true });
    await fetch(`${ES_URL}/${index}`, { method: 'DELETE' });
  });

  it('keeps recorded secrets but drops short and common values', () => {
    expect(readSecrets(dir)).toEqual([planted]);
  });

  it('finds literal secrets and generated trader keys and webhook secrets', () => {
    expect(
      findSecrets(
        'a frk_AAAAAAAAAAAAAAAAAAAAAAAAAAAA and whsec_BBBBBBBBBBBBBBBBBBBBBBBBB',
        [],
      ),
    ).toHaveLength(2);
    expect(findSecrets('authorization: [REDACTED]', [planted])).toEqual([]);
  });

  it('finds a secret in an app log', () => {
    writeFileSync(
      join(dir, 'logs', 'trading-1.log'),
      `{"msg":"key ${planted}"}\n`,
    );
    expect(scanLogs(dir, [planted])).toEqual([
      { secret: expect.stringMatching(/^pla…/), where: 'log trading-1.log' },
    ]);
  });

  it('finds a secret in an Elasticsearch document', async () => {
    // Only this spec's index: the shared Elasticsearch holds everyone's data.
    const result = await scanElasticsearch(ES_URL, [planted], index);
    expect(result.findings).toContainEqual({
      secret: expect.stringMatching(/^pla…/),
      where: expect.stringMatching(new RegExp(`^${index}/`)),
    });
  });
});
