import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';

import { getFreePort } from './testing';

/** One request the receiver got. */
export interface ReceivedWebhook {
  at: number;
  body: string;
  headers: IncomingHttpHeaders;
  path: string;
  status: number;
}

/**
 * A local webhook receiver: records every request and answers with the
 * status `respond` picks (200 unless told otherwise), per path.
 */
export class WebhookReceiver {
  readonly requests: ReceivedWebhook[] = [];
  respond: (path: string, attempt: number) => number = () => 200;
  url = '';
  private server?: Server;
  private readonly attemptsByPath = new Map<string, number>();

  async start(): Promise<void> {
    const port = await getFreePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const attempt = (this.attemptsByPath.get(path) ?? 0) + 1;
        this.attemptsByPath.set(path, attempt);
        const status = this.respond(path, attempt);
        this.requests.push({
          at: Date.now(),
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
          path,
          status,
        });
        res
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(String(status));
      });
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(port, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Requests answered 2xx on a path. */
  delivered(path: string): ReceivedWebhook[] {
    return this.requests.filter((r) => r.path === path && r.status < 300);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
