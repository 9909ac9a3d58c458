import type { NewsStory } from './news-story';
import { MemorySentimentCache, SentimentPipeline } from './sentiment-pipeline';
import type { SentimentItem, SentimentScore } from './sentiment-request';

function story(headline: string, source: string, summary = ''): NewsStory {
  return {
    datetime: 0,
    headline,
    id: `${source}-${headline}`,
    source,
    summary,
  };
}

function fakeScorer() {
  const calls: SentimentItem[][] = [];
  const scorer = (
    items: readonly SentimentItem[],
  ): Promise<SentimentScore[]> => {
    calls.push([...items]);
    return Promise.resolve(
      items.map((i) => ({
        id: i.id,
        material: true,
        score: i.text.includes('beats') ? 0.8 : -0.4,
        sentiment: i.text.includes('beats')
          ? ('bullish' as const)
          : ('bearish' as const),
      })),
    );
  };
  return { calls, scorer };
}

describe('SentimentPipeline', () => {
  it('scores each unique story once, in batched requests, across feeds', async () => {
    const { calls, scorer } = fakeScorer();
    const pipeline = new SentimentPipeline({
      batchSize: 2,
      cache: new MemorySentimentCache(),
      scorer,
    });
    const result = await pipeline.run([
      {
        stories: [
          story('Apple beats estimates - Reuters', 'Reuters'),
          story('Apple Beats Estimates', 'Yahoo'),
          story('Apple recalls chargers', 'Yahoo'),
        ],
        symbol: 'AAPL',
      },
      {
        stories: [story('Nvidia misses on margins', 'Reuters')],
        symbol: 'NVDA',
      },
    ]);
    expect(result).toMatchObject({
      headlines: 4,
      requests: 2,
      scored: 3,
      unique: 3,
    });
    expect(calls.map((c) => c.length)).toEqual([2, 1]);
    expect(result.symbols.get('AAPL')?.signal).toBeCloseTo(0.2);
  });

  it('sends nothing to the model when a rerun brings no new or changed story', async () => {
    const { calls, scorer } = fakeScorer();
    const pipeline = new SentimentPipeline({
      cache: new MemorySentimentCache(),
      scorer,
    });
    const news = [
      {
        stories: [story('Apple beats estimates', 'Reuters', 'iPhone sales up')],
        symbol: 'AAPL',
      },
    ];
    await pipeline.run(news);
    const again = await pipeline.run([
      {
        stories: [story('Apple beats estimates.', 'Yahoo', 'iPhone sales up!')],
        symbol: 'AAPL',
      },
    ]);
    expect(again.requests).toBe(0);
    expect(again.symbols.get('AAPL')?.signal).toBeCloseTo(0.8);
    expect(calls).toHaveLength(1);
  });

  it('rescores a story whose update is material', async () => {
    const { calls, scorer } = fakeScorer();
    const pipeline = new SentimentPipeline({
      cache: new MemorySentimentCache(),
      scorer,
    });
    await pipeline.run([
      {
        stories: [story('Apple beats estimates', 'Reuters', 'iPhone sales up')],
        symbol: 'AAPL',
      },
    ]);
    const update = await pipeline.run([
      {
        stories: [
          story(
            'Apple beats estimates',
            'Reuters',
            'but regulators open antitrust probe into App Store fees',
          ),
        ],
        symbol: 'AAPL',
      },
    ]);
    expect(update.requests).toBe(1);
    expect(calls).toHaveLength(2);
  });
});
