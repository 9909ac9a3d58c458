import type { ElasticsearchHandle } from './elasticsearch';
import { elasticsearchAnswers, ensureElasticsearch } from './elasticsearch';

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
});
