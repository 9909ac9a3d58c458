import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** A stored upload (`/v1/files`), content kept for `/content`. */
export interface StoredFile {
  bytes: number;
  content: string;
  created_at: number;
  filename: string;
  id: string;
  object: 'file';
  purpose: string;
  status: 'processed';
}

/** A `/v1/batches` object as OpenAI returns it. */
export interface BatchObject {
  cancelled_at: number | null;
  completed_at: number | null;
  completion_window: string;
  created_at: number;
  endpoint: string;
  error_file_id: string | null;
  errors: null;
  expires_at: number;
  failed_at: number | null;
  id: string;
  in_progress_at: number | null;
  input_file_id: string;
  metadata: Record<string, string> | null;
  object: 'batch';
  output_file_id: string | null;
  request_counts: { completed: number; failed: number; total: number };
  status: string;
}

/** The part of a chat completion request the fake reads. */
export interface ChatBody {
  messages?: Array<{ content: unknown; role: string }>;
  model?: string;
  response_format?: { json_schema?: { name?: string }; type?: string };
}

/** An OpenAI-style object id: prefix + 24 hex characters. */
export function fakeId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Answers JSON (or JSONL for a string body) with the given headers. */
export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'application/jsonl' : 'application/json',
    ...headers,
  });
  res.end(text);
}
