import { ensureElasticsearch } from '@freeride/testing';

import { Client } from '@elastic/elasticsearch';

import { DEAD_LETTER_INDEX, QUARANTINE_INDEX } from './dead-letter';
import { type BulkEntry, EsBulkIndexer } from './es-bulk-indexer';

/** The real bulk indexer against a real Elasticsearch (plain indices, no data streams). */
jest.setTimeout(60_000);

describe('EsBulkIndexer (real Elasticsearch)', () => {
  let es: Client;
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const index = `bulk-spec-${run}`;

  const lines = (
    docs: { id: string; doc: object; index?: string }[],
    origin: string,
  ): BulkEntry => ({
    body: Buffer.from(
      docs
        .map(
          (d) =>
            `${JSON.stringify({ create: { _id: d.id, _index: d.index ?? index } })}\n${JSON.stringify(d.doc)}\n`,
        )
        .join(''),
    ),
    docs: docs.length,
    origin,
  });

  const count = async (target: string, q: string) => {
    await es.indices.refresh({ ignore_unavailable: true, index: target });
    return (await es.count({ ignore_unavailable: true, index: target, q }))
      .count;
  };

  beforeAll(async () => {
    es = new Client({ node: (await ensureElasticsearch()).url });
    await es.indices.create({
      index,
      mappings: {
        dynamic: false,
        properties: { n: { type: 'long' }, tag: { type: 'keyword' } },
      },
      settings: { number_of_replicas: 0 },
    });
  }, 180_000);

  afterAll(async () => {
    await es?.indices.delete({ ignore_unavailable: true, index });
    await es?.close();
  });

  it('sends stored lines as they are, in chunks, and counts created and duplicate documents', async () => {
    const indexer = new EsBulkIndexer(es, { flushBytes: 200 });
    const entries = [0, 1, 2].map((e) =>
      lines(
        [0, 1].map((d) => ({
          doc: { n: e * 10 + d, tag: 'ok' },
          id: `ok-${e}-${d}`,
        })),
        `${e}-0`,
      ),
    );
    expect(await indexer.index(entries)).toEqual({
      deadLettered: {},
      duplicates: 0,
      indexed: 6,
      quarantined: 0,
      retried: 0,
    });
    // The same entries again (a batch redelivered after a crash): all duplicates.
    expect(await indexer.index(entries)).toMatchObject({
      duplicates: 6,
      indexed: 0,
    });
    expect(await count(index, 'tag:ok')).toBe(6);
  });

  it('dead-letters a document Elasticsearch refuses, with its reason and original, and indexes the rest', async () => {
    const indexer = new EsBulkIndexer(es);
    const report = await indexer.index([
      lines(
        [
          { doc: { n: 'not a number', tag: 'bad' }, id: `bad-${run}` },
          { doc: { n: 1, tag: 'good' }, id: `good-${run}` },
        ],
        '7-0',
      ),
    ]);
    expect(report).toMatchObject({
      deadLettered: { document_parsing_exception: 1 },
      indexed: 1,
    });
    await es.indices.refresh({ index: DEAD_LETTER_INDEX });
    const letters = await es.search<{
      error: { type: string; reason: string };
      original: string;
      origin: string;
      status: number;
      target: { id: string; index: string };
    }>({ index: DEAD_LETTER_INDEX, q: `target.id:"bad-${run}"` });
    const letter = letters.hits.hits[0]._source!;
    expect(letter).toMatchObject({
      origin: '7-0',
      status: 400,
      target: { id: `bad-${run}`, index },
    });
    expect(letter.error.type).toBe('document_parsing_exception');
    expect(JSON.parse(letter.original)).toEqual({
      n: 'not a number',
      tag: 'bad',
    });
  });

  it('quarantines entries that are not valid bulk lines and still indexes the others of the batch', async () => {
    const indexer = new EsBulkIndexer(es);
    const broken: BulkEntry = {
      body: Buffer.from('{"no action"}\n{"n":1}\n'),
      docs: 1,
      origin: `q1-${run}`,
    };
    const short: BulkEntry = {
      body: Buffer.from('{"create":{}}\n'),
      docs: 1,
      origin: `q2-${run}`,
    };
    const fine = lines(
      [{ doc: { n: 5, tag: 'after' }, id: `after-${run}` }],
      `q3-${run}`,
    );
    const report = await indexer.index([broken, short, fine]);
    expect(report).toMatchObject({ indexed: 1, quarantined: 2 });
    for (const origin of [`q1-${run}`, `q2-${run}`])
      expect(await count(QUARANTINE_INDEX, `origin:"${origin}"`)).toBe(1);
    expect(await count(index, 'tag:after')).toBe(1);
  });
});
