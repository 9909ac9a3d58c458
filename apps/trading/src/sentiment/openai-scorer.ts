import {
  type SentimentItem,
  type SentimentScore,
  buildSentimentRequest,
  parseSentimentContent,
} from '@freeride/trading-rules';

import type { OpenAI } from 'openai';
import { RateLimitError } from 'openai';

import { MAX_RETRY_AFTER_MS } from './sentiment.constants';
import { SentimentModelUnavailableError } from './sentiment.errors';

/**
 * One chat-completions request scoring many headlines. The client runs with
 * `maxRetries: 0`: a `rate_limit_exceeded` 429 is retried here after its
 * `retry-after` (at most twice), an `insufficient_quota` 429 is not retried.
 * @see https://platform.openai.com/docs/guides/rate-limits
 * @see https://github.com/openai/openai-node#retries
 */
export async function scoreWithOpenAi(
  client: OpenAI,
  model: string,
  items: readonly SentimentItem[],
  sleep: (ms: number) => Promise<void> = (ms) =>
    new Promise((r) => setTimeout(r, ms)),
): Promise<SentimentScore[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const completion = await client.chat.completions.create(
        buildSentimentRequest(model, items),
      );
      return parseSentimentContent(
        completion.choices[0]?.message.content,
        items.map((i) => i.id),
      );
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const retryAfterMs = retryAfter(err);
      if (
        err.code === 'insufficient_quota' ||
        attempt >= 2 ||
        retryAfterMs > MAX_RETRY_AFTER_MS
      ) {
        throw new SentimentModelUnavailableError(
          { code: err.code ?? 'rate_limited', retryAfterMs },
          err,
        );
      }
      await sleep(retryAfterMs);
    }
  }
}

function retryAfter(err: RateLimitError): number {
  const ms = Number(err.headers?.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(err.headers?.get('retry-after'));
  return Number.isFinite(s) && s > 0 ? s * 1000 : 1000;
}
