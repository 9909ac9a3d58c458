import { xxh3 } from '@node-rs/xxhash';

import { fixture } from '../test/otlp-fixtures';
import { decodeOtlpRequest } from './decode';
import { toBulkLines, toEcsDocuments } from './ecs';
import { contentId, writeContentId } from './ecs-sink';
import type { OtlpSignal } from './otlp-request';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOUR = 3_600_000;
const RECEIVED = Date.parse('2026-01-10T12:00:00.000Z');

function logsAt(...nanos: string[]) {
  return decodeOtlpRequest(
    'logs',
    'json',
    Buffer.from(
      JSON.stringify({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'service.name', value: { stringValue: 'svc' } },
              ],
            },
            scopeLogs: [
              {
                logRecords: nanos.map((timeUnixNano, i) => ({
                  body: { stringValue: `line ${i}` },
                  timeUnixNano,
                })),
              },
            ],
          },
        ],
      }),
    ),
    RECEIVED,
  );
}

const nanosOf = (ms: number) => `${ms}000000`;

/** Parses `_bulk` NDJSON into action/source pairs. */
function parseLines(body: string): { action: Doc; source: Doc }[] {
  const lines = body.split('\n');
  expect(lines.pop()).toBe('');
  const out: { action: Doc; source: Doc }[] = [];
  for (let i = 0; i < lines.length; i += 2)
    out.push({
      action: JSON.parse(lines[i]) as Doc,
      source: JSON.parse(lines[i + 1]) as Doc,
    });
  return out;
}

describe('contentId', () => {
  const hashOf = (id: string) =>
    Buffer.from(id, 'base64url').subarray(6).toString('hex');
  const timeOf = (id: string) => Buffer.from(id, 'base64url').readUIntBE(0, 6);

  it('is the time (6 bytes) then XXH3-128 (reference test vector of the empty input), base64url', () => {
    // XXH3_128bits("") from the xxHash reference implementation.
    expect(xxh3.xxh128('').toString(16)).toBe(
      '99aa06d3014798d86001c324468d497f',
    );
    expect(contentId('', 1_700_000_000_123)).toBe(
      Buffer.from(
        `018bcfe5687b${'99aa06d3014798d86001c324468d497f'}`,
        'hex',
      ).toString('base64url'),
    );
    expect(timeOf(contentId('', 1_700_000_000_123))).toBe(1_700_000_000_123);
  });

  it('keeps leading zeros (fixed width, 30 characters)', () => {
    // xxh128('abc') has a leading zero nibble.
    const hex = xxh3.xxh128('abc').toString(16);
    expect(hex).toHaveLength(31);
    expect(contentId('abc')).toMatch(/^[A-Za-z0-9_-]{30}$/);
    expect(hashOf(contentId('abc'))).toBe(hex.padStart(32, '0'));
  });

  it('starts with the time, so later records sort after earlier ones', () => {
    const earlier = contentId('b', 1_700_000_000_000);
    const later = contentId('a', 1_700_000_000_001);
    expect(earlier.slice(0, 8) < later.slice(0, 8)).toBe(true);
    expect(hashOf(earlier)).toBe(
      xxh3.xxh128('b').toString(16).padStart(32, '0'),
    );
  });

  it('writeContentId writes the same 30 bytes in place, for strings and bytes, leading zeros included', () => {
    const out = Buffer.alloc(40, 0x2e);
    let leadingZero = 0;
    for (let i = 0; i < 500; i++) {
      const text = `doc ${i} ${'é'.repeat(i % 7)} ${'x'.repeat(i)}`;
      const time = [0, 1, 1_700_000_000_123 + i, 2 ** 48 - 1, 1e300][i % 5];
      if (xxh3.xxh128(text).toString(16).length < 32) leadingZero++;
      writeContentId(out, 5, text, time);
      expect(out.toString('latin1', 5, 35)).toBe(contentId(text, time));
      writeContentId(out, 5, Buffer.from(text), time);
      expect(out.toString('latin1', 5, 35)).toBe(contentId(text, time));
      // Nothing around the id is touched.
      expect(out.toString('latin1', 0, 5)).toBe('.....');
      expect(out.toString('latin1', 35)).toBe('.....');
    }
    expect(leadingZero).toBeGreaterThan(0);
  });

  it('takes 0 for an unset, negative or unusable time and clamps the far future', () => {
    expect(timeOf(contentId('a'))).toBe(0);
    expect(timeOf(contentId('a', -5))).toBe(0);
    expect(timeOf(contentId('a', Number.NaN))).toBe(0);
    expect(timeOf(contentId('a', 1e300))).toBe(2 ** 48 - 1);
    expect(timeOf(contentId('a', 12.9))).toBe(12);
  });
});

describe('toBulkLines', () => {
  it.each<[OtlpSignal, string]>([
    ['logs', 'logs-with-trace.json'],
    ['traces', 'traces-with-events-and-links.json'],
    ['metrics', 'metrics-all-types.json'],
  ])(
    'holds exactly the %s documents of toEcsDocuments, as create actions',
    (signal, name) => {
      const req = decodeOtlpRequest(signal, 'json', fixture('ok', name));
      const writes = toEcsDocuments(req, { source: 'node' });
      const lines = toBulkLines(req, { source: 'node' });
      const pairs = parseLines(lines.body);
      expect(lines.docs).toBe(writes.length);
      expect(pairs.map((p) => p.action)).toEqual(
        writes.map((w) => ({ create: { _id: w.id, _index: w.index } })),
      );
      expect(pairs.map((p) => p.source)).toEqual(
        writes.map((w) => JSON.parse(JSON.stringify(w.doc)) as Doc),
      );
    },
  );

  it('stores the authenticated source on every document', () => {
    const { body } = toBulkLines(logsAt(nanosOf(RECEIVED), '0'), {
      source: 'wordpress',
    });
    for (const { source } of parseLines(body))
      expect(source.freeride.source).toBe('wordpress');
  });

  it('gives a record without a time of its own the receipt time, and the same id when sent again later', () => {
    const first = toBulkLines(logsAt('0'), { source: 's' });
    const [doc] = parseLines(first.body);
    expect(doc.source['@timestamp']).toBe('2026-01-10T12:00:00.000Z');
    const again = toEcsDocuments(
      { ...logsAt('0'), receivedAt: '2026-01-10T13:00:00.000Z' },
      { source: 's' },
    );
    expect(again[0].doc['@timestamp']).toBe('2026-01-10T13:00:00.000Z');
    expect(again[0].id).toBe(doc.action.create._id);
  });

  describe('accepted time window', () => {
    const window = { futureMs: HOUR, pastMs: 24 * HOUR };

    it('keeps times inside the window, moves those outside it and counts them', () => {
      const inside = nanosOf(RECEIVED - 2 * HOUR);
      const old = nanosOf(Date.parse('1970-01-02T00:00:00.000Z'));
      const future = nanosOf(Date.parse('2230-01-01T00:00:00.000Z'));
      const lines = toBulkLines(logsAt(inside, old, future), {
        source: 'node',
        timeWindow: window,
      });
      expect(lines.adjusted).toEqual({ in_future: 1, too_old: 1 });
      const [a, b, c] = parseLines(lines.body).map((p) => p.source);
      expect(a['@timestamp']).toBe('2026-01-10T10:00:00.000Z');
      expect(a.freeride).toEqual({ source: 'node' });
      for (const [doc, original, reason] of [
        [b, '1970-01-02T00:00:00.000Z', 'too_old'],
        [c, '2230-01-01T00:00:00.000Z', 'in_future'],
      ] as const) {
        expect(doc['@timestamp']).toBe('2026-01-10T12:00:00.000Z');
        expect(doc.freeride).toEqual({
          original_timestamp: original,
          source: 'node',
        });
        expect(doc['freeride.timestamp_adjusted']).toBe(reason);
      }
      // The object form says the same.
      const writes = toEcsDocuments(logsAt(inside, old, future), {
        source: 'node',
        timeWindow: window,
      });
      expect(writes[2].doc.freeride).toEqual({
        original_timestamp: '2230-01-01T00:00:00.000Z',
        source: 'node',
        timestamp_adjusted: 'in_future',
      });
    });

    it('gives an adjusted record the same id whenever it is sent', () => {
      const old = nanosOf(Date.parse('1999-01-01T00:00:00.000Z'));
      const id = (receivedAt: string) =>
        toEcsDocuments(
          { ...logsAt(old), receivedAt },
          { timeWindow: window },
        )[0].id;
      expect(id('2026-01-10T12:00:00.000Z')).toBe(
        id('2026-01-10T12:05:00.000Z'),
      );
    });
  });

  it('asks admit once per data stream and service, and stops at its refusal', () => {
    const seen: string[] = [];
    toBulkLines(logsAt('1', '2', '3'), {
      admit: (ds, service) => seen.push(`${ds.type}-${ds.dataset}/${service}`),
    });
    expect(seen).toEqual(['logs-generic/svc']);
    expect(() =>
      toBulkLines(logsAt('1'), {
        admit: () => {
          throw new Error('refused');
        },
      }),
    ).toThrow('refused');
  });
});
