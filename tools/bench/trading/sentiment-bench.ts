import { startOpenAiFake } from '@freeride/openai-fake';
import {
  MemorySentimentCache,
  type NewsStory,
  SentimentPipeline,
  buildSentimentRequest,
  parseSentimentContent,
  storyKey,
} from '@freeride/trading-rules';

import { OpenAI } from 'openai';

import { prng, symbolName } from './bench-data';
import { args } from './bench-options';

const POS = [
  'beats',
  'record',
  'surge',
  'upgrade',
  'growth',
  'rally',
  'wins',
  'raises',
];
const NEG = [
  'misses',
  'cuts',
  'probe',
  'recall',
  'lawsuit',
  'downgrade',
  'falls',
  'resigns',
];
const FILLER = [
  'quarter',
  'guidance',
  'shares',
  'market',
  'analysts',
  'sales',
  'outlook',
  'deal',
  'china',
  'chips',
  'cloud',
  'ads',
];
const FEEDS = ['Reuters', 'Yahoo', 'MarketWatch', 'Benzinga', 'SeekingAlpha'];

/** Headlines as feeds serve them over 20 polls: unique stories, feed copies, rewrites, material updates. */
function makeHeadlines(total: number) {
  const random = prng(9);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const polls: Array<Array<{ story: NewsStory; symbol: string }>> = Array.from(
    { length: 20 },
    () => [],
  );
  let n = 0;
  let storyNo = 0;
  while (n < total) {
    const symbol = symbolName(Math.floor(random() * 200));
    const words = [
      pick(POS),
      pick(NEG),
      pick(FILLER),
      pick(FILLER),
      pick(FILLER),
    ].filter(() => random() < 0.7);
    const headline = `${symbol} ${words.join(' ')} story ${storyNo++}`;
    const summary = `${pick(FILLER)} ${pick(FILLER)} ${random() < 0.5 ? pick(POS) : pick(NEG)} ${pick(FILLER)}`;
    const poll = Math.floor(random() * 15);
    const copies = 1 + Math.floor(random() * 4);
    for (let c = 0; c < copies && n < total; c++, n++) {
      const feed = FEEDS[c % FEEDS.length];
      const variant =
        c === 0
          ? headline
          : c % 2
            ? `${headline.toUpperCase()} - ${feed}`
            : `${headline}!`;
      polls[poll + Math.floor(random() * 2)].push({
        story: {
          datetime: poll,
          headline: variant,
          id: `${feed}-${storyNo}-${c}`,
          source: feed,
          summary: c % 3 === 2 ? `${summary}.` : summary,
        },
        symbol,
      });
    }
    if (random() < 0.05 && n < total) {
      // A material update a few polls later: new facts in the summary.
      polls[Math.min(19, poll + 3)].push({
        story: {
          datetime: poll + 3,
          headline,
          id: `upd-${storyNo}`,
          source: 'Reuters',
          summary: `${summary} but ${pick(NEG)} ${pick(NEG)} ${pick(FILLER)} after ${pick(NEG)} ${pick(FILLER)}`,
        },
        symbol,
      });
      n++;
    }
  }
  return polls;
}

export async function benchSentiment() {
  // A limit high enough that the one-request-per-headline baseline is not throttled.
  const fake = await startOpenAiFake({ requestsPerMinute: 1_000_000 });
  const client = new OpenAI({
    apiKey: 'bench',
    baseURL: fake.baseUrl,
    maxRetries: 2,
  });
  const score = async (
    items: Array<{ id: string; symbol: string; text: string }>,
  ) => {
    const c = await client.chat.completions.create(
      buildSentimentRequest('gpt-4o-mini', items),
    );
    return parseSentimentContent(
      c.choices[0].message.content,
      items.map((i) => i.id),
    );
  };
  try {
    const polls = makeHeadlines(Number(args.headlines));
    const headlines = polls.reduce((s, p) => s + p.length, 0);
    let requests = 0;
    const pipeline = new SentimentPipeline({
      batchSize: 25,
      cache: new MemorySentimentCache(),
      scorer: (items) => {
        requests++;
        return score([...items]);
      },
    });
    const pipelineScore = new Map<string, number>();
    const t0 = performance.now();
    for (const poll of polls) {
      const bySymbol = new Map<string, NewsStory[]>();
      for (const h of poll)
        bySymbol.set(h.symbol, [...(bySymbol.get(h.symbol) ?? []), h.story]);
      const run = await pipeline.run(
        [...bySymbol].map(([symbol, stories]) => ({ stories, symbol })),
      );
      for (const h of poll) {
        const s = run.symbols
          .get(h.symbol)
          ?.stories.get(storyKey(h.symbol, h.story.headline));
        if (s) pipelineScore.set(h.story.id as string, s.score);
      }
    }
    const pipelineSeconds = (performance.now() - t0) / 1000;
    // Baseline: one request per headline (the legacy plugin), 8 in flight.
    const all = polls.flat();
    let naiveRequests = 0;
    let agree = 0;
    const t1 = performance.now();
    for (let i = 0; i < all.length; i += 8) {
      const part = all.slice(i, i + 8);
      const scores = await Promise.all(
        part.map(async (h) => {
          naiveRequests++;
          const [s] = await score([
            {
              id: 'one',
              symbol: h.symbol,
              text: `${h.story.headline} ${h.story.summary}`,
            },
          ]);
          return s.score;
        }),
      );
      part.forEach((h, j) => {
        if (pipelineScore.get(h.story.id as string) === scores[j]) agree++;
      });
    }
    const naiveSeconds = (performance.now() - t1) / 1000;
    return {
      headlines,
      naiveRequests,
      naiveSeconds: Math.round(naiveSeconds * 10) / 10,
      pipelineRequests: requests,
      pipelineSeconds: Math.round(pipelineSeconds * 10) / 10,
      requestReduction: Math.round((naiveRequests / requests) * 10) / 10,
      sameScore: agree,
      sameScorePercent: Math.round((agree / headlines) * 10_000) / 100,
    };
  } finally {
    await fake.stop();
  }
}
