import type { NewsStory, TriagedStory } from './news-story';
import { dedupStories, needsScoring } from './news-story';
import type { SentimentItem, SentimentScore } from './sentiment-request';
import { aggregateSentiment, chunk } from './sentiment-request';

/** A scored story as the cache keeps it. */
export interface CachedStory {
  key: string;
  score: SentimentScore;
  symbol: string;
  /** Normalized text that was scored (for delta detection). */
  text: string;
}

/** Where scored stories live between runs (Redis with expiry in the app). */
export interface SentimentCache {
  get(keys: readonly string[]): Promise<Array<CachedStory | undefined>>;
  set(stories: readonly CachedStory[]): Promise<void>;
}

/** One model request scoring many headlines (chat completions, structured output). */
export type SentimentScorer = (
  items: readonly SentimentItem[],
) => Promise<SentimentScore[]>;

/** Options of {@link SentimentPipeline}. */
export interface SentimentPipelineOptions {
  /** Headlines per model request. @default 25 */
  batchSize?: number;
  cache: SentimentCache;
  /** See {@link DeltaOptions.materialSimilarity}. @default 0.8 */
  materialSimilarity?: number;
  scorer: SentimentScorer;
}

/** What one run did. */
export interface SentimentRunResult {
  /** Headlines received. */
  headlines: number;
  /** Model requests made. */
  requests: number;
  /** Stories sent to the model (new or materially changed). */
  scored: number;
  /** Per symbol: the aggregate signal and the score of each unique story. */
  symbols: Map<
    string,
    { signal?: number; stories: Map<string, SentimentScore> }
  >;
  /** Unique stories after dedup. */
  unique: number;
}

/**
 * News → dedup (same story from several feeds) → delta (only new or
 * materially changed stories) → batched model requests → cache → one
 * sentiment signal per symbol. I/O is injected, so the benchmark and the
 * app run the same code.
 */
export class SentimentPipeline {
  private readonly batchSize: number;

  constructor(private readonly options: SentimentPipelineOptions) {
    this.batchSize = options.batchSize ?? 25;
  }

  async run(
    news: ReadonlyArray<{ stories: readonly NewsStory[]; symbol: string }>,
  ): Promise<SentimentRunResult> {
    const result: SentimentRunResult = {
      headlines: 0,
      requests: 0,
      scored: 0,
      symbols: new Map(),
      unique: 0,
    };
    const triaged: TriagedStory[] = [];
    for (const { stories, symbol } of news) {
      result.headlines += stories.length;
      triaged.push(...dedupStories(symbol, stories));
    }
    result.unique = triaged.length;
    const known = await this.options.cache.get(triaged.map((t) => t.key));
    const toScore: TriagedStory[] = [];
    triaged.forEach((story, i) => {
      const cached = known[i];
      const verdict = needsScoring(story, cached, {
        materialSimilarity: this.options.materialSimilarity,
      });
      if (verdict) {
        toScore.push(story);
      } else {
        this.entry(result, story.symbol).stories.set(story.key, cached!.score);
      }
    });
    for (const batch of chunk(toScore, this.batchSize)) {
      const scores = await this.options.scorer(
        batch.map((s) => ({ id: s.key, symbol: s.symbol, text: s.text })),
      );
      result.requests++;
      const byId = new Map(scores.map((s) => [s.id, s]));
      const fresh: CachedStory[] = [];
      for (const story of batch) {
        const score = byId.get(story.key);
        if (!score) continue;
        fresh.push({
          key: story.key,
          score,
          symbol: story.symbol,
          text: story.text,
        });
        this.entry(result, story.symbol).stories.set(story.key, score);
      }
      await this.options.cache.set(fresh);
      result.scored += fresh.length;
    }
    for (const entry of result.symbols.values()) {
      entry.signal = aggregateSentiment([...entry.stories.values()]);
    }
    return result;
  }

  private entry(result: SentimentRunResult, symbol: string) {
    let entry = result.symbols.get(symbol);
    if (!entry) {
      entry = { stories: new Map() };
      result.symbols.set(symbol, entry);
    }
    return entry;
  }
}

/** An in-memory {@link SentimentCache} (tests, benchmark). */
export class MemorySentimentCache implements SentimentCache {
  private readonly map = new Map<string, CachedStory>();

  get(keys: readonly string[]): Promise<Array<CachedStory | undefined>> {
    return Promise.resolve(keys.map((k) => this.map.get(k)));
  }

  set(stories: readonly CachedStory[]): Promise<void> {
    for (const s of stories) this.map.set(s.key, s);
    return Promise.resolve();
  }
}
