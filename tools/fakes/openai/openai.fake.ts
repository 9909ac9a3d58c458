import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';

import { FakeBatchStore } from './batch-store';
import { chatCompletion } from './chat-completion';
import { type BatchObject, type ChatBody, fakeId, send } from './openai-wire';

/**
 * A fake of the OpenAI REST API for tests and benchmarks, mounted at `/v1`
 * like the real one (`baseURL = http://127.0.0.1:<port>/v1`). It speaks the
 * wire formats of the OpenAI API reference (https://platform.openai.com/docs/api-reference):
 * - `POST /v1/chat/completions` (a `json_schema` response format named
 *   `news_sentiment_batch` gets a deterministic sentiment score per item);
 * - `POST /v1/files` (multipart, `purpose=batch`), `GET /v1/files/:id`,
 *   `GET /v1/files/:id/content`;
 * - `POST /v1/batches`, `GET /v1/batches/:id`, `POST /v1/batches/:id/cancel`
 *   (validating → in_progress → completed, output JSONL joined by `custom_id`);
 * - `x-ratelimit-*` headers on every answer, and 429s with OpenAI's bodies
 *   when the per-minute request limit is exceeded or forced.
 *
 * Test controls: `GET /__stats`, `POST /__control {"force429": n, "quota": true}`.
 */
export interface OpenAiFakeOptions {
  /** Accepted API keys; empty accepts any bearer token. @default [] */
  keys?: readonly string[];
  /** @default 0 (a free port) */
  port?: number;
  /** Address to listen on (`0.0.0.0` in a container). @default '127.0.0.1' */
  host?: string;
  /** Requests per minute before 429 `rate_limit_exceeded`. @default 10000 */
  requestsPerMinute?: number;
  /** Delay of each chat completion, in ms (simulated model time). @default 0 */
  latencyMs?: number;
  /** Delay between batch status steps, in ms. @default 50 */
  batchStepMs?: number;
}

/** Counters the tests and the benchmark read. */
export interface OpenAiFakeStats {
  batches: number;
  chatCompletions: number;
  /** Items scored across all sentiment requests (chat and batch). */
  itemsScored: number;
  files: number;
  rateLimited: number;
}

/** The running fake. */
export interface OpenAiFake {
  /** `http://127.0.0.1:<port>/v1`, the client's `baseURL`. */
  baseUrl: string;
  port: number;
  stats: OpenAiFakeStats;
  /** Forces the next `n` API requests to answer 429 `rate_limit_exceeded`. */
  force429(n: number): void;
  stop(): Promise<void>;
}

export async function startOpenAiFake(
  options: OpenAiFakeOptions = {},
): Promise<OpenAiFake> {
  const rpm = options.requestsPerMinute ?? 10_000;
  const stats: OpenAiFakeStats = {
    batches: 0,
    chatCompletions: 0,
    files: 0,
    itemsScored: 0,
    rateLimited: 0,
  };
  const store = new FakeBatchStore(options.batchStepMs ?? 50, (items) => {
    stats.itemsScored += items;
  });
  const { batches, files } = store;
  let window: number[] = [];
  let forced = 0;
  let quotaExhausted = false;

  const rateHeaders = (remaining: number): Record<string, string> => ({
    'x-ratelimit-limit-requests': String(rpm),
    'x-ratelimit-limit-tokens': '150000',
    'x-ratelimit-remaining-requests': String(Math.max(0, remaining)),
    'x-ratelimit-remaining-tokens': '149984',
    'x-ratelimit-reset-requests': '1s',
    'x-ratelimit-reset-tokens': '6m0s',
    'x-request-id': fakeId('req_'),
  });

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (path === '/__stats') return send(res, 200, stats);
    if (path === '/__control' && req.method === 'POST') {
      const body = JSON.parse(raw.toString() || '{}') as {
        force429?: number;
        quota?: boolean;
      };
      forced += body.force429 ?? 0;
      quotaExhausted = body.quota ?? quotaExhausted;
      return send(res, 200, { forced, quotaExhausted });
    }
    const auth = req.headers.authorization ?? '';
    const key = auth.replace(/^Bearer\s+/i, '');
    if (
      !key ||
      (options.keys && options.keys.length > 0 && !options.keys.includes(key))
    ) {
      return send(res, 401, {
        error: {
          code: 'invalid_api_key',
          message: 'Incorrect API key provided.',
          param: null,
          type: 'invalid_request_error',
        },
      });
    }
    const now = Date.now();
    window = window.filter((t) => now - t < 60_000);
    if (quotaExhausted) {
      stats.rateLimited++;
      return send(
        res,
        429,
        {
          error: {
            code: 'insufficient_quota',
            message:
              'You exceeded your current quota, please check your plan and billing details.',
            param: null,
            type: 'insufficient_quota',
          },
        },
        rateHeaders(0),
      );
    }
    if (forced > 0 || window.length >= rpm) {
      if (forced > 0) forced--;
      stats.rateLimited++;
      return send(
        res,
        429,
        {
          error: {
            code: 'rate_limit_exceeded',
            message: `Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit ${rpm}, Used ${window.length}, Requested 1. Please try again in 1s.`,
            param: null,
            type: 'requests',
          },
        },
        { ...rateHeaders(0), 'retry-after': '1' },
      );
    }
    window.push(now);
    const headers = rateHeaders(rpm - window.length);

    if (path === '/v1/chat/completions' && req.method === 'POST') {
      const body = JSON.parse(raw.toString()) as ChatBody;
      if (!body.model || !Array.isArray(body.messages)) {
        return send(
          res,
          400,
          {
            error: {
              code: null,
              message: 'you must provide a model parameter',
              param: 'model',
              type: 'invalid_request_error',
            },
          },
          headers,
        );
      }
      stats.chatCompletions++;
      if (options.latencyMs)
        await new Promise((r) => setTimeout(r, options.latencyMs));
      return send(
        res,
        200,
        chatCompletion(body.model, body, (items) => {
          stats.itemsScored += items;
        }),
        headers,
      );
    }
    if (path === '/v1/files' && req.method === 'POST') {
      const form = await new Request('http://fake/v1/files', {
        body: raw,
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        method: 'POST',
      }).formData();
      const file = form.get('file');
      const purposeField = form.get('purpose');
      const purpose = typeof purposeField === 'string' ? purposeField : '';
      if (!(file instanceof Blob) || !purpose) {
        return send(
          res,
          400,
          {
            error: {
              code: null,
              message: "Missing required parameter: 'file' or 'purpose'.",
              param: 'file',
              type: 'invalid_request_error',
            },
          },
          headers,
        );
      }
      stats.files++;
      const stored = store.storeFile(
        file instanceof File ? file.name : 'upload.jsonl',
        purpose,
        await file.text(),
      );
      const { content: _content, ...meta } = stored;
      return send(res, 200, meta, headers);
    }
    const fileMatch = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (fileMatch && req.method === 'GET') {
      const file = files.get(fileMatch[1]);
      if (!file) {
        return send(
          res,
          404,
          {
            error: {
              code: null,
              message: `No such File object: ${fileMatch[1]}`,
              param: 'id',
              type: 'invalid_request_error',
            },
          },
          headers,
        );
      }
      if (fileMatch[2]) return send(res, 200, file.content, headers);
      const { content: _content, ...meta } = file;
      return send(res, 200, meta, headers);
    }
    if (path === '/v1/batches' && req.method === 'POST') {
      const body = JSON.parse(raw.toString()) as {
        completion_window?: string;
        endpoint?: string;
        input_file_id?: string;
        metadata?: Record<string, string>;
      };
      if (
        !body.input_file_id ||
        !files.has(body.input_file_id) ||
        body.completion_window !== '24h' ||
        body.endpoint !== '/v1/chat/completions'
      ) {
        return send(
          res,
          400,
          {
            error: {
              code: null,
              message:
                'Invalid batch: input_file_id, endpoint /v1/chat/completions and completion_window 24h are required.',
              param: null,
              type: 'invalid_request_error',
            },
          },
          headers,
        );
      }
      stats.batches++;
      const created = Math.floor(Date.now() / 1000);
      const batch: BatchObject = {
        cancelled_at: null,
        completed_at: null,
        completion_window: '24h',
        created_at: created,
        endpoint: body.endpoint,
        error_file_id: null,
        errors: null,
        expires_at: created + 86_400,
        failed_at: null,
        id: fakeId('batch_'),
        in_progress_at: null,
        input_file_id: body.input_file_id,
        metadata: body.metadata ?? null,
        object: 'batch',
        output_file_id: null,
        request_counts: { completed: 0, failed: 0, total: 0 },
        status: 'validating',
      };
      batches.set(batch.id, batch);
      store.advance(batch);
      return send(res, 200, batch, headers);
    }
    const batchMatch = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batchMatch) {
      const batch = batches.get(batchMatch[1]);
      if (!batch) {
        return send(
          res,
          404,
          {
            error: {
              code: null,
              message: `No batch found with id '${batchMatch[1]}'.`,
              param: null,
              type: 'invalid_request_error',
            },
          },
          headers,
        );
      }
      if (
        batchMatch[2] &&
        req.method === 'POST' &&
        ['validating', 'in_progress'].includes(batch.status)
      ) {
        batch.status = 'cancelled';
        batch.cancelled_at = Math.floor(Date.now() / 1000);
      }
      return send(res, 200, batch, headers);
    }
    return send(
      res,
      404,
      {
        error: {
          code: 'unknown_url',
          message: `Unknown request URL: ${req.method} ${path}.`,
          param: null,
          type: 'invalid_request_error',
        },
      },
      headers,
    );
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) =>
        send(res, 500, {
          error: {
            code: null,
            message: String(err),
            param: null,
            type: 'server_error',
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    force429(n: number) {
      forced += n;
    },
    port,
    stats,
    async stop() {
      store.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
