import { z } from 'zod';

import {
  type Quote,
  QuoteSchema,
  canonicalInstantMs,
  parseQuoteStreamEntry,
  parseQuoteStreamFields,
  quoteStreamFields,
  readQuoteStreamTick,
  readQuoteStreamTicks,
} from './quote';

const quote = {
  ageMs: 1200,
  asOf: '2026-11-24T15:00:00.000Z',
  cached: false,
  price: 189.5,
  provider: 'finnhub',
  receivedAt: '2026-11-24T15:00:01.200Z',
  stale: false,
  symbol: 'AAPL',
  volume: 100,
};

/** Values of every kind, for a quote field: the fast readers must take and refuse exactly what the schemas do. */
const FIELD_VALUES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  'finnhub',
  'iex',
  '2026-11-24T15:00:00Z',
  '2026-11-24T15:00:00.123456Z',
  '2026-02-30T15:00:00.000Z',
  '2024-02-29T23:59:59.999Z',
  '2026-11-24T15:00:00+01:00',
  '2026-11-24 15:00:00Z',
  [],
  {},
];

describe('QuoteSchema', () => {
  it('accepts a quote that names its provider and age', () => {
    expect(QuoteSchema.parse(quote).provider).toBe('finnhub');
  });

  it('rejects a quote without a stale flag', () => {
    const { stale: _stale, ...rest } = quote;
    expect(() => QuoteSchema.parse(rest)).toThrow(/stale/);
  });

  it('rejects a quote from an unknown provider', () => {
    expect(() => QuoteSchema.parse({ ...quote, provider: 'iex' })).toThrow(
      /provider/,
    );
  });
});

describe('parseQuoteStreamFields', () => {
  it('parses the flat field list of a stream entry', () => {
    const { message, quote: parsed } = parseQuoteStreamFields([
      'kind',
      'quote',
      'symbol',
      'AAPL',
      'payload',
      JSON.stringify(quote),
      'producedAt',
      '1764000000000',
      'traceparent',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ]);
    expect(message.producedAt).toBe(1764000000000);
    expect(parsed.price).toBe(189.5);
  });
});

describe('readQuoteStreamTick', () => {
  const fieldsOf = (
    payload: unknown,
    extra: Record<string, string> = {},
  ): string[] =>
    Object.entries({
      kind: 'quote',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      producedAt: '1764000000000',
      symbol: 'AAPL',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      ...extra,
    }).flat();

  /** What parseQuoteStreamFields makes of the same entry (or its error). */
  const viaZod = (fields: string[]) => {
    try {
      const { message, quote: q } = parseQuoteStreamFields(fields);
      return {
        asOf: Date.parse(q.asOf),
        price: q.price,
        producedAt: message.producedAt,
        stale: q.stale,
        symbol: q.symbol,
        traceparent: message.traceparent,
        volume: q.volume,
      };
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };
  const viaFast = (fields: string[]) => {
    try {
      const t = readQuoteStreamTick(fields);
      return { ...t, traceparent: t.traceparent, volume: t.volume };
    } catch (err) {
      return { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  it('reads a well-formed entry as the schemas do', () => {
    expect(readQuoteStreamTick(fieldsOf(quote))).toEqual({
      asOf: Date.parse(quote.asOf),
      price: 189.5,
      producedAt: 1764000000000,
      stale: false,
      symbol: 'AAPL',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      volume: 100,
    });
  });

  // Every field of the quote removed, and set to values of every kind:
  // the fast path must accept and refuse exactly what the schemas do.
  const quoteCases = Object.keys(quote).flatMap((key) =>
    FIELD_VALUES.map((value) => [key, value] as const),
  );
  it.each(quoteCases)(
    'agrees with the schemas on quote.%s = %j',
    (key, value) => {
      const payload: Record<string, unknown> = { ...quote, [key]: value };
      if (value === undefined) delete payload[key];
      const fields = fieldsOf(payload);
      expect(viaFast(fields)).toEqual(viaZod(fields));
    },
  );

  const messageCases: Array<[string, string[]]> = [
    ['kind other', fieldsOf(quote, { kind: 'trade' })],
    ['producedAt empty', fieldsOf(quote, { producedAt: '' })],
    ['producedAt negative', fieldsOf(quote, { producedAt: '-5' })],
    ['producedAt fraction', fieldsOf(quote, { producedAt: '1.5' })],
    [
      'producedAt beyond 2^53',
      fieldsOf(quote, { producedAt: '99999999999999999' }),
    ],
    ['producedAt with spaces', fieldsOf(quote, { producedAt: ' 12 ' })],
    ['symbol empty', fieldsOf(quote, { symbol: '' })],
    ['payload not JSON', fieldsOf('{oops')],
    ['payload a number', fieldsOf('5')],
    ['payload null', fieldsOf('null')],
    ['payload an array', fieldsOf('[]')],
    ['no traceparent', fieldsOf(quote).slice(0, 8)],
    ['an odd field count', [...fieldsOf(quote), 'dangling']],
    ['unknown fields', fieldsOf(quote, { extra: 'x' })],
  ];
  it.each(messageCases)('agrees with the schemas when %s', (_name, fields) => {
    expect(viaFast(fields)).toEqual(viaZod(fields));
  });
});

describe('canonicalInstantMs', () => {
  const ISO = z.iso.datetime();

  it('reads every instant toISOString writes as Date.parse does', () => {
    // Each day of four centuries (leap years and century rules), at varied times of day.
    const start = Date.UTC(1999, 0, 1);
    for (let day = 0; day < 146_097; day++) {
      const ms = start + day * 86_400_000 + ((day * 7_919_371) % 86_400_000);
      expect(canonicalInstantMs(new Date(ms).toISOString())).toBe(ms);
    }
    for (const s of ['0000-02-29T00:00:00.000Z', '1970-01-01T00:00:00.000Z']) {
      expect(canonicalInstantMs(s)).toBe(Date.parse(s));
    }
  });

  it('answers NaN for every other form, leaving it to the schema', () => {
    const others = [
      '2026-02-29T00:00:00.000Z', // not a leap year
      '2100-02-29T00:00:00.000Z', // a century that is not one
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-01T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:59:60.000Z',
      '2026-01-01T23:59:59.00aZ',
      '2026-01-01T23:59:59Z',
      '2026-01-01T23:59:59.1234Z',
      '2026-01-01 23:59:59.123Z',
      '2026-01-01T23:59:59.123+',
      '+2026-01-01T23:59:59.12Z',
      '2026-1-01T23:59:59.1234Z',
    ];
    for (const s of others) expect(canonicalInstantMs(s)).toBeNaN();
  });

  it('accepts only strings the schema accepts', () => {
    // Canonical strings with one character replaced by each of a few others.
    const base = '2024-02-29T23:59:59.999Z';
    const accepted: string[] = [];
    for (let i = 0; i < base.length; i++) {
      for (const c of '0123456789-:.TZ+ x') {
        const s = base.slice(0, i) + c + base.slice(i + 1);
        if (!Number.isNaN(canonicalInstantMs(s))) accepted.push(s);
      }
    }
    expect(accepted.length).toBeGreaterThan(100);
    expect(accepted.filter((s) => !ISO.safeParse(s).success)).toEqual([]);
    expect(
      accepted.filter((s) => canonicalInstantMs(s) !== Date.parse(s)),
    ).toEqual([]);
  });
});

describe('quote stream entries of several quotes (quoteStreamFields, parseQuoteStreamEntry, readQuoteStreamTicks)', () => {
  const tp = (i: number) =>
    `00-${String(i + 1).padStart(32, '0')}-${String(i + 7).padStart(16, '0')}-01`;
  const quotes: Quote[] = ['AAPL', 'MSFT', 'AAPL'].map((symbol, i) =>
    QuoteSchema.parse({ ...quote, price: 189.5 + i, symbol }),
  );
  /** Ticks and the indexes reported invalid, or the error thrown. */
  const viaFast = (fields: string[]) => {
    const invalid: number[] = [];
    try {
      const ticks = readQuoteStreamTicks(fields, (_err, i) => invalid.push(i));
      return { invalid, ticks };
    } catch (err) {
      return { error: (err as Error).name };
    }
  };

  it('writes one quote as a `quote` entry, as before, and several as one `quotes` entry', () => {
    const one = quoteStreamFields([quotes[0]], 1764000000000, [tp(0)]);
    expect(parseQuoteStreamFields(one)).toEqual({
      message: {
        kind: 'quote',
        payload: JSON.stringify(quotes[0]),
        producedAt: 1764000000000,
        symbol: 'AAPL',
        traceparent: tp(0),
      },
      quote: quotes[0],
    });
    const several = quoteStreamFields(quotes, 1764000000000, [
      tp(0),
      undefined,
      tp(2),
    ]);
    expect(several.slice(0, 2)).toEqual(['kind', 'quotes']);
    expect(parseQuoteStreamEntry(several)).toEqual({
      producedAt: 1764000000000,
      quotes: [
        { quote: quotes[0], traceparent: tp(0) },
        { quote: quotes[1], traceparent: undefined },
        { quote: quotes[2], traceparent: tp(2) },
      ],
    });
    expect(() => quoteStreamFields([], 1)).toThrow(RangeError);
  });

  it('reads every tick of an entry, each with its own traceparent, as the schemas do', () => {
    for (const fields of [
      quoteStreamFields([quotes[1]], 1764000000001, [tp(1)]),
      quoteStreamFields(
        quotes,
        1764000000002,
        quotes.map((_, i) => tp(i)),
      ),
      quoteStreamFields(quotes, 1764000000003),
    ]) {
      const { producedAt, quotes: parsed } = parseQuoteStreamEntry(fields);
      expect(viaFast(fields)).toEqual({
        invalid: [],
        ticks: parsed.map(({ quote: q, traceparent }) => ({
          asOf: Date.parse(q.asOf),
          price: q.price,
          producedAt,
          stale: q.stale,
          symbol: q.symbol,
          traceparent,
          volume: q.volume,
        })),
      });
    }
  });

  // Each field of the middle quote removed or set to values of every kind:
  // the fast reader must take and refuse exactly the quotes the schema does,
  // and still read the other two.
  const cases = Object.keys(quote).flatMap((key) =>
    FIELD_VALUES.map((value) => [key, value] as const),
  );
  it.each(cases)('agrees with the schema on quote[1].%s = %j', (key, value) => {
    const middle: Record<string, unknown> = { ...quote, [key]: value };
    if (value === undefined) delete middle[key];
    const items = [quotes[0], middle, quotes[2]];
    const fields = quoteStreamFields(items as Quote[], 1764000000000);
    const accepted = QuoteSchema.safeParse(middle).success;
    const read = viaFast(fields);
    expect(read).toMatchObject({ invalid: accepted ? [] : [1] });
    expect((read as { ticks: unknown[] }).ticks).toHaveLength(accepted ? 3 : 2);
    // The schemas name the middle quote's field, or accept it.
    const viaSchemas = (() => {
      try {
        parseQuoteStreamEntry(fields);
        return 'accepted';
      } catch (err) {
        return (err as z.ZodError).issues[0].path.slice(0, 2);
      }
    })();
    expect(viaSchemas).toEqual(accepted ? 'accepted' : ['payload', 1]);
  });

  it('answers only the wanted symbols, leaving the others of a batch unchecked', () => {
    const invalidMsft = { ...quotes[1], price: -1 };
    const fields = quoteStreamFields(
      [quotes[0], invalidMsft, quotes[2]],
      1764000000000,
    );
    const invalid: number[] = [];
    const ticks = readQuoteStreamTicks(
      fields,
      (_err, i) => invalid.push(i),
      (symbol) => symbol !== 'MSFT',
    );
    expect(ticks.map((t) => [t.symbol, t.price])).toEqual([
      ['AAPL', 189.5],
      ['AAPL', 191.5],
    ]);
    // MSFT's invalid quote is its reader's to count.
    expect(invalid).toEqual([]);
    // A quote without a usable symbol is checked (and refused) by every reader.
    const nameless = quoteStreamFields(
      [quotes[0], { ...quotes[1], symbol: 5 } as unknown as Quote],
      1764000000000,
    );
    readQuoteStreamTicks(
      nameless,
      (_err, i) => invalid.push(i),
      () => false,
    );
    expect(invalid).toEqual([1]);
    // An entry of one quote: its tick only when wanted.
    const single = quoteStreamFields([quotes[1]], 1764000000000);
    expect(
      readQuoteStreamTicks(
        single,
        () => undefined,
        () => false,
      ),
    ).toEqual([]);
    expect(
      readQuoteStreamTicks(
        single,
        () => undefined,
        (s) => s === 'MSFT',
      ),
    ).toHaveLength(1);
  });

  const batch = (extra: Record<string, string>) =>
    Object.entries({
      kind: 'quotes',
      payload: JSON.stringify(quotes),
      producedAt: '1764000000000',
      traceparents: [tp(0), tp(1), tp(2)].join(','),
      ...extra,
    }).flat();
  const malformed: Array<[string, string[], RegExp]> = [
    ['payload not JSON', batch({ payload: '[{oops' }), /JSON/],
    ['payload an object', batch({ payload: JSON.stringify(quote) }), /payload/],
    ['payload empty', batch({ payload: '[]' }), /payload/],
    ['producedAt negative', batch({ producedAt: '-5' }), /producedAt/],
    [
      'traceparents one short',
      batch({ traceparents: [tp(0), tp(1)].join(',') }),
      /traceparents has 2 items for 3 quotes/,
    ],
  ];
  it.each(malformed)(
    'refuses the whole entry when %s, naming the field',
    (_name, fields, message) => {
      expect(() => parseQuoteStreamEntry(fields)).toThrow(message);
      expect(() => readQuoteStreamTicks(fields, () => undefined)).toThrow(
        message,
      );
    },
  );
});
