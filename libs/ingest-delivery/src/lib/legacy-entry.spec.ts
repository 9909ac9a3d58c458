import { encodeOtlpRequest } from '@freeride/otlp';

import { bulkEntryDefect } from './es-bulk-indexer';
import { bulkEntryOf } from './legacy-entry';
import type { StoredIngestEntry } from './redis-ingest-stream';

const request = {
  resourceLogs: [
    {
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: 'old' } }],
      },
      scopeLogs: [
        {
          logRecords: [
            { body: { stringValue: 'a' }, timeUnixNano: '1700000000000000000' },
            { body: { stringValue: 'b' }, timeUnixNano: '1700000000000000001' },
          ],
        },
      ],
    },
  ],
};

const entry = (
  format: StoredIngestEntry['format'],
  body: Buffer,
): StoredIngestEntry => ({
  body,
  bytes: body.length,
  format,
  id: '1-0',
  items: 2,
  receivedAt: 1_700_000_000_000,
  source: 'python',
});

describe('bulkEntryOf', () => {
  it('passes stored bulk lines through untouched', () => {
    const body = Buffer.from('{"create":{}}\n{}\n');
    const out = bulkEntryOf(
      'logs',
      { ...entry('bulk-ndjson', body), items: 1 },
      'default',
    );
    expect(out).toEqual({ body, docs: 1, origin: '1-0' });
    expect(out.body).toBe(body);
  });

  it.each([
    ['otlp-protobuf', Buffer.from(encodeOtlpRequest('logs', request))],
    ['otlp-json', Buffer.from(JSON.stringify(request))],
  ] as const)(
    'maps a %s entry of an earlier version to valid bulk lines',
    (format, body) => {
      const out = bulkEntryOf('logs', entry(format, body), 'prod');
      expect(out.docs).toBe(2);
      expect(bulkEntryDefect(out)).toBeUndefined();
      const [action, source] = out.body.toString('utf8').split('\n');
      expect(JSON.parse(action)).toMatchObject({
        create: { _index: 'logs-generic-prod' },
      });
      expect(JSON.parse(source)).toMatchObject({
        freeride: { source: 'python' },
        message: 'a',
        service: { name: 'old' },
      });
    },
  );

  it('marks an entry it cannot decode as defective, with the reason', () => {
    const out = bulkEntryOf(
      'logs',
      entry('normalised-json', Buffer.from('{not json')),
      'default',
    );
    expect(bulkEntryDefect(out)).toMatch(/^entry cannot be mapped: /);
  });
});

describe('bulkEntryDefect', () => {
  const lines = (body: string, docs: number) => ({
    body: Buffer.from(body),
    docs,
    origin: 'x',
  });

  it('accepts two newline-terminated lines per document', () => {
    expect(
      bulkEntryDefect(lines('{"create":{}}\n{"a":1}\n', 1)),
    ).toBeUndefined();
  });

  it.each([
    [
      'no trailing newline',
      '{"create":{}}\n{"a":1}',
      1,
      /does not end with a newline/,
    ],
    ['a missing line', '{"create":{}}\n', 1, /1 lines for 1 documents/],
    ['no documents', '', 0, /holds 0 documents/],
  ])('refuses %s', (_case, body, docs, reason) => {
    expect(bulkEntryDefect(lines(body, docs))).toMatch(reason);
  });
});
