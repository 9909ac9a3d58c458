import {
  SentimentResponseError,
  aggregateSentiment,
  buildSentimentRequest,
  chunk,
  parseSentimentContent,
} from './sentiment-request';

describe('buildSentimentRequest', () => {
  it('asks for a strict json_schema answer covering every item', () => {
    const body = buildSentimentRequest('gpt-4o-mini', [
      { id: 'a', symbol: 'AAPL', text: 'apple beats' },
      { id: 'b', symbol: 'AAPL', text: 'apple misses' },
    ]);
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.strict).toBe(true);
    expect(JSON.parse(body.messages[1].content)).toHaveLength(2);
  });
});

describe('parseSentimentContent', () => {
  const ok = JSON.stringify({
    results: [
      { id: 'a', material: true, score: 0.8, sentiment: 'bullish' },
      { id: 'b', material: false, score: -0.2, sentiment: 'bearish' },
    ],
  });

  it('returns the scores of the requested ids', () => {
    expect(parseSentimentContent(ok, ['a', 'b']).map((s) => s.score)).toEqual([
      0.8, -0.2,
    ]);
  });

  it('rejects an answer missing a requested id', () => {
    expect(() => parseSentimentContent(ok, ['a', 'c'])).toThrow(
      SentimentResponseError,
    );
  });

  it('rejects an answer outside the schema', () => {
    expect(() =>
      parseSentimentContent('{"results":[{"id":"a","score":3}]}', ['a']),
    ).toThrow(SentimentResponseError);
  });
});

describe('chunk', () => {
  it('splits items into batches of at most the given size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('aggregateSentiment', () => {
  it('weights material stories double', () => {
    expect(
      aggregateSentiment([
        { id: 'a', material: true, score: 0.9, sentiment: 'bullish' },
        { id: 'b', material: false, score: -0.3, sentiment: 'bearish' },
      ]),
    ).toBeCloseTo(0.5);
  });

  it('has no signal without scores', () => {
    expect(aggregateSentiment([])).toBeUndefined();
  });
});
