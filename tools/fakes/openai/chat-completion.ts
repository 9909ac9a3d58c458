import { fakeSentimentScore } from './fake-sentiment';
import { type ChatBody, fakeId } from './openai-wire';

/**
 * A `chat.completion` answer. A `json_schema` response format named
 * `news_sentiment_batch` gets the fake model's score for every item of the
 * user message (a JSON array of `{ id, text }`); anything else gets `ok`.
 */
export function chatCompletion(
  model: string,
  body: ChatBody,
  onScored: (items: number) => void,
): object {
  let content = 'ok';
  const format = body.response_format;
  if (
    format?.type === 'json_schema' &&
    format.json_schema?.name === 'news_sentiment_batch'
  ) {
    const user = body.messages?.find((m) => m.role === 'user')?.content ?? '[]';
    const items = JSON.parse(typeof user === 'string' ? user : '[]') as Array<{
      id: string;
      text: string;
    }>;
    onScored(items.length);
    content = JSON.stringify({
      results: items.map((i) => ({
        id: i.id,
        ...fakeSentimentScore(i.text),
      })),
    });
  }
  return {
    choices: [
      {
        finish_reason: 'stop',
        index: 0,
        logprobs: null,
        message: { content, refusal: null, role: 'assistant' },
      },
    ],
    created: Math.floor(Date.now() / 1000),
    id: fakeId('chatcmpl-'),
    model,
    object: 'chat.completion',
    system_fingerprint: null,
    usage: {
      completion_tokens: Math.ceil(content.length / 4),
      prompt_tokens: 10,
      total_tokens: 10 + Math.ceil(content.length / 4),
    },
  };
}
