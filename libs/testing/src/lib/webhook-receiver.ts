import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedRequest {
  readonly body: unknown;
  readonly path: string;
  readonly receivedAtMs: number;
}

/** One alert of an Alertmanager webhook notification (webhook_config, version 4). */
export interface AlertmanagerAlert {
  readonly annotations: Record<string, string>;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly labels: Record<string, string>;
  readonly startsAt: string;
  readonly status: string;
}

/**
 * An Alertmanager webhook notification as the receiver records it (`body`).
 * @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
export interface AlertmanagerPayload {
  readonly alerts: AlertmanagerAlert[];
  readonly groupLabels: Record<string, string>;
  readonly status: string;
}

/** A local HTTP server standing in for the webhook, Slack and PagerDuty endpoints. */
export interface WebhookReceiver {
  readonly received: ReceivedRequest[];
  readonly url: string;
  close(): Promise<void>;
  on(path: string): ReceivedRequest[];
}

/** Starts a receiver on 127.0.0.1 that records every JSON POST and answers 200. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the raw text
      }
      received.push({ body, path: req.url ?? '/', receivedAtMs: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    on: (path) => received.filter((r) => r.path === path),
    received,
    url: `http://127.0.0.1:${port}`,
  };
}
