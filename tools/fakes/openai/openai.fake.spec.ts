import {
  buildSentimentRequest,
  parseSentimentContent,
} from '@freeride/trading-rules';

import OpenAI, { RateLimitError, toFile } from 'openai';

import { type OpenAiFake, startOpenAiFake } from './openai.fake';

describe('OpenAI fake', () => {
  let fake: OpenAiFake;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startOpenAiFake({ batchStepMs: 10 });
    client = new OpenAI({
      apiKey: 'test-key',
      baseURL: fake.baseUrl,
      maxRetries: 0,
      timeout: 5000,
    });
  });

  afterAll(async () => {
    await fake.stop();
  });

  it('scores many headlines in one structured-output chat completion', async () => {
    const items = [
      { id: 'a', symbol: 'AAPL', text: 'apple beats estimates record growth' },
      { id: 'b', symbol: 'AAPL', text: 'apple recall probe' },
    ];
    const completion = await client.chat.completions.create(
      buildSentimentRequest('gpt-4o-mini', items),
    );
    expect(completion.object).toBe('chat.completion');
    const scores = parseSentimentContent(
      completion.choices[0].message.content,
      ['a', 'b'],
    );
    expect(scores.map((s) => s.sentiment)).toEqual(['bullish', 'bearish']);
  });

  it('answers 429 rate_limit_exceeded with rate-limit headers', async () => {
    fake.force429(1);
    const err = await client.chat.completions
      .create({
        messages: [{ content: 'hi', role: 'user' }],
        model: 'gpt-4o-mini',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const rate = err as RateLimitError;
    expect(rate.code).toBe('rate_limit_exceeded');
    expect(rate.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rate.headers?.get('x-ratelimit-reset-requests')).toBe('1s');
  });

  it('lets the official client retry a 429 and succeed', async () => {
    const retrying = new OpenAI({
      apiKey: 'k',
      baseURL: fake.baseUrl,
      maxRetries: 2,
    });
    fake.force429(1);
    const before = fake.stats.rateLimited;
    const res = await retrying.chat.completions.create({
      messages: [{ content: 'hi', role: 'user' }],
      model: 'm',
    });
    expect(res.choices[0].message.content).toBe('ok');
    expect(fake.stats.rateLimited).toBe(before + 1);
  });

  it('runs a Batch API job from an uploaded JSONL file to an output joined by custom_id', async () => {
    const lines = ['x', 'y'].map((id) =>
      JSON.stringify({
        body: buildSentimentRequest('gpt-4o-mini', [
          { id, symbol: 'NVDA', text: `nvidia ${id} beats` },
        ]),
        custom_id: `req-${id}`,
        method: 'POST',
        url: '/v1/chat/completions',
      }),
    );
    const file = await client.files.create({
      file: await toFile(Buffer.from(lines.join('\n')), 'batch.jsonl'),
      purpose: 'batch',
    });
    expect(file.purpose).toBe('batch');
    let batch = await client.batches.create({
      completion_window: '24h',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
    });
    expect(batch.status).toBe('validating');
    for (let i = 0; i < 50 && batch.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      batch = await client.batches.retrieve(batch.id);
    }
    expect(batch.status).toBe('completed');
    const output = await (
      await client.files.content(batch.output_file_id!)
    ).text();
    const ids = output
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id)
      .sort();
    expect(ids).toEqual(['req-x', 'req-y']);
  });

  it('rejects a request without an API key with 401', async () => {
    const res = await fetch(`${fake.baseUrl}/chat/completions`, {
      body: '{}',
      method: 'POST',
    });
    expect(res.status).toBe(401);
  });
});
