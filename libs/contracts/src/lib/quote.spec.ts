import { parseQuoteStreamFields, QuoteSchema } from './quote';

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
