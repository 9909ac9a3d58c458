import { createHash } from 'node:crypto';

/**
 * A company news item as the gateway serves it (`GET /v1/news/:symbol`,
 * Finnhub `/company-news` fields).
 */
export interface NewsStory {
  /** ISO-8601 instant (gateway) or Unix seconds (Finnhub). */
  datetime: number | string;
  headline: string;
  /** Provider id of the item (unique per feed, not across feeds). */
  id: number | string;
  source: string;
  summary: string;
  url?: string;
}

/** A story after dedup, keyed by its content rather than its feed id. */
export interface TriagedStory {
  /** Stable key of the story: hash of the symbol and normalized headline. */
  key: string;
  /** Feeds that carried the story. */
  sources: string[];
  story: NewsStory;
  symbol: string;
  /** Normalized headline + summary, the text whose change is measured. */
  text: string;
}

const SOURCE_SUFFIX = /\s+[-|–—]\s+[^-|–—]{1,40}$/u;

/**
 * Normalizes a headline so the same story from several feeds compares equal:
 * drops a trailing ` - Source` / ` | Source`, lower-cases, removes
 * punctuation and collapses whitespace.
 */
export function normalizeHeadline(headline: string): string {
  return headline
    .replace(SOURCE_SUFFIX, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}%$.]+/gu, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Content key of a story for a symbol (first 16 hex chars of a SHA-1). */
export function storyKey(symbol: string, headline: string): string {
  return createHash('sha1')
    .update(`${symbol}|${normalizeHeadline(headline)}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Normalized headline and summary of a story. The headline is normalized on
 * its own, so its source suffix is dropped without eating the summary.
 */
export function storyText(
  story: Pick<NewsStory, 'headline' | 'summary'>,
): string {
  const summary = story.summary
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}%$.]+/gu, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `${normalizeHeadline(story.headline)} ${summary}`.trim();
}

/** Word set of a text, for {@link textSimilarity}. */
function words(text: string): Set<string> {
  return new Set(text.split(' ').filter((w) => w.length > 0));
}

/** Jaccard similarity of the word sets of two normalized texts, in [0, 1]. */
export function textSimilarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return common / (wa.size + wb.size - common);
}

/**
 * Collapses the same story carried by several feeds into one
 * {@link TriagedStory} per content key, keeping the longest summary and the
 * list of sources.
 */
export function dedupStories(
  symbol: string,
  stories: readonly NewsStory[],
): TriagedStory[] {
  const byKey = new Map<string, TriagedStory>();
  for (const story of stories) {
    const key = storyKey(symbol, story.headline);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, {
        key,
        sources: [story.source],
        story,
        symbol,
        text: storyText(story),
      });
      continue;
    }
    if (!seen.sources.includes(story.source)) seen.sources.push(story.source);
    if (story.summary.length > seen.story.summary.length) {
      seen.story = story;
      seen.text = storyText(story);
    }
  }
  return [...byKey.values()];
}

/** What the pipeline already knows about a story key. */
export interface KnownStory {
  /** Normalized text that was scored. */
  text: string;
}

/** Options of {@link needsScoring}. */
export interface DeltaOptions {
  /**
   * Below this word-set similarity to the scored text, an update is material
   * and is scored again. @default 0.8
   */
  materialSimilarity?: number;
}

/**
 * Whether a story changes the picture: it is new, or its text moved far
 * enough from the version already scored.
 */
export function needsScoring(
  story: TriagedStory,
  known: KnownStory | undefined,
  options: DeltaOptions = {},
): 'new' | 'material_delta' | false {
  if (!known) return 'new';
  const threshold = options.materialSimilarity ?? 0.8;
  return textSimilarity(known.text, story.text) < threshold
    ? 'material_delta'
    : false;
}
