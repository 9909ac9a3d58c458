import { FreerideError } from '@freeride/contracts';

import { z } from 'zod';

/** One headline sent to the model, identified by the caller's id. */
export interface SentimentItem {
  id: string;
  symbol: string;
  text: string;
}

/** The model's verdict on one headline. */
export const SentimentScoreSchema = z.object({
  id: z.string(),
  material: z.boolean(),
  /** -1 (very bearish) .. 1 (very bullish). */
  score: z.number().min(-1).max(1),
  sentiment: z.enum(['bearish', 'bullish', 'neutral']),
});
export type SentimentScore = z.infer<typeof SentimentScoreSchema>;

/** The structured output of one batched request. */
export const SentimentBatchSchema = z.object({
  results: z.array(SentimentScoreSchema),
});

/** Name of the structured-output schema (`response_format.json_schema.name`). */
export const SENTIMENT_SCHEMA_NAME = 'news_sentiment_batch';

/**
 * JSON Schema of {@link SentimentBatchSchema} in the strict subset OpenAI
 * structured outputs accept (every property required, no extra keys).
 * @see https://platform.openai.com/docs/guides/structured-outputs
 */
export const SENTIMENT_JSON_SCHEMA = {
  additionalProperties: false,
  properties: {
    results: {
      items: {
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          material: { type: 'boolean' },
          score: { type: 'number' },
          sentiment: {
            enum: ['bullish', 'bearish', 'neutral'],
            type: 'string',
          },
        },
        required: ['id', 'sentiment', 'score', 'material'],
        type: 'object',
      },
      type: 'array',
    },
  },
  required: ['results'],
  type: 'object',
} as const;

/** Thrown when a model answer does not cover the request. */
export class SentimentResponseError extends FreerideError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super('sentiment response rejected', {
      code: 'SENTIMENT_RESPONSE_INVALID',
      details: { reason, ...details },
      httpStatus: 502,
    });
  }
}

/**
 * Body of one chat-completions request that scores many headlines at once,
 * with a strict `json_schema` response format.
 * @see https://platform.openai.com/docs/guides/structured-outputs
 */
export function buildSentimentRequest(
  model: string,
  items: readonly SentimentItem[],
) {
  return {
    messages: [
      {
        content:
          'You score financial news sentiment for the named ticker. For each item return its id, ' +
          'sentiment (bullish, bearish or neutral), score from -1 to 1, and whether it is material.',
        role: 'system' as const,
      },
      {
        content: JSON.stringify(
          items.map((i) => ({ id: i.id, symbol: i.symbol, text: i.text })),
        ),
        role: 'user' as const,
      },
    ],
    model,
    response_format: {
      json_schema: {
        name: SENTIMENT_SCHEMA_NAME,
        schema: SENTIMENT_JSON_SCHEMA,
        strict: true,
      },
      type: 'json_schema' as const,
    },
  };
}

/** Parses a model answer and checks it scores exactly the requested ids. */
export function parseSentimentContent(
  content: string | null | undefined,
  ids: readonly string[],
): SentimentScore[] {
  if (!content) throw new SentimentResponseError('empty content');
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (err) {
    throw new SentimentResponseError('content is not JSON', {
      cause: String(err),
    });
  }
  const parsed = SentimentBatchSchema.safeParse(json);
  if (!parsed.success) {
    throw new SentimentResponseError('content does not match schema', {
      issues: parsed.error.issues.map((i) => i.path.join('.')),
    });
  }
  const wanted = new Set(ids);
  const results = parsed.data.results.filter((r) => wanted.has(r.id));
  const missing = ids.filter((id) => !results.some((r) => r.id === id));
  if (missing.length > 0) {
    throw new SentimentResponseError('ids missing from response', { missing });
  }
  return results;
}

/** Splits items into batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(items.slice(i, i + size));
  return out;
}

/**
 * A symbol's sentiment signal: the mean score of its recent stories,
 * weighted by materiality (material stories count twice).
 */
export function aggregateSentiment(
  scores: readonly SentimentScore[],
): number | undefined {
  if (scores.length === 0) return undefined;
  let sum = 0;
  let weight = 0;
  for (const s of scores) {
    const w = s.material ? 2 : 1;
    sum += s.score * w;
    weight += w;
  }
  return Math.max(-1, Math.min(1, sum / weight));
}
