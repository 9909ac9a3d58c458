import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { ElasticsearchHandle } from './elasticsearch';
import { elasticsearchAnswers, ensureElasticsearch } from './elasticsearch';

/** The run directory of tools/stack/lib.sh: FREERIDE_RUN, else FREERIDE_HOME/run. */
function stackRunDir(): string {
  const env = process.env;
  if (env['FREERIDE_RUN']) return env['FREERIDE_RUN'];
  const cache = env['FREERIDE_CACHE'] ?? join(homedir(), '.cache/freeride');
  const home =
    env['FREERIDE_HOME'] ??
    (process.getuid?.() === 0 ? '/var/lib/freeride' : cache);
  return join(home, 'run');
}

/** Session id of a process, from /proc/<pid>/stat (the field after pgrp). */
function sessionOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(afterComm[3]);
}

// Uses the shared node on ES_URL (default :9200); starts it only when it is down, and then
// stops it again, so a node that other people use is never stopped.
describe('ensureElasticsearch', () => {
  let es: ElasticsearchHandle;

  beforeAll(async () => {
    es = await ensureElasticsearch();
  }, 180_000);

  afterAll(async () => {
    if (es?.startedHere) {
      await es.stop();
    }
  }, 90_000);

  it('returns a node whose cluster health is at least yellow and exports ES_URL', async () => {
    expect(process.env['ES_URL']).toBe(es.url);
    await expect(elasticsearchAnswers(es.url)).resolves.toBe(true);
    const res = await fetch(
      `${es.url}/_cluster/health?wait_for_status=yellow&timeout=10s`,
    );
    const health = (await res.json()) as { status: string };
    expect(['green', 'yellow']).toContain(health.status);
  }, 30_000);

  it('indexes and searches a document', async () => {
    const index = `freeride-testing-spec-${process.pid}`;
    const put = await fetch(`${es.url}/${index}/_doc/1?refresh=true`, {
      body: JSON.stringify({ message: 'hello elasticsearch' }),
      headers: { 'content-type': 'application/json' },
      method: 'PUT',
    });
    expect(put.status).toBe(201);
    const search = await fetch(`${es.url}/${index}/_search?q=message:hello`);
    const body = (await search.json()) as {
      hits: { total: { value: number } };
    };
    expect(body.hits.total.value).toBe(1);
    await fetch(`${es.url}/${index}`, { method: 'DELETE' });
  }, 30_000);

  // tools/stack/elasticsearch.sh must detach the node from its caller (its own session), or the
  // node dies with the shell that started it (issue 11). The test runner and the script that
  // started the node share a session whenever the node was started without setsid.
  it('runs the node in a session of its own, not the one of whoever started it', () => {
    const port = new URL(es.url).port || '9200';
    const pidFile = join(stackRunDir(), `es-${port}`, 'es.pid');
    expect(existsSync(pidFile)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    expect(sessionOf(pid)).not.toBe(sessionOf('self'));
  });
});
