import { StreamEnvelopeSchema } from './stream-envelope';

describe('StreamEnvelopeSchema', () => {
  it('accepts an envelope with a traceparent', () => {
    const parsed = StreamEnvelopeSchema.parse({
      kind: 'quote',
      payload: '{}',
      producedAt: 1,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(parsed.kind).toBe('quote');
  });

  it('rejects an envelope without a kind', () => {
    expect(() =>
      StreamEnvelopeSchema.parse({ payload: '{}', producedAt: 1 }),
    ).toThrow(/kind/);
  });
});
