/**
 * The demo trader's webhook endpoint: verifies each signed alert delivery
 * with the trader's secret and prints one line per alert.
 *
 *   WEBHOOK_SECRET=<secret> PORT=3097 tsx tools/demo/webhook-receiver/main.ts
 */
import { verifyWebhookSignature } from '@freeride/trading-rules';
import { createServer } from 'node:http';

const secret = process.env['WEBHOOK_SECRET'] ?? '';
const port = Number(process.env['PORT'] ?? 3097);
const seen = new Set<string>();

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const signature = String(req.headers['x-freeride-signature'] ?? '');
    const key = String(req.headers['x-freeride-idempotency-key'] ?? '');
    let valid = false;
    try {
      verifyWebhookSignature({ body, header: signature, secret });
      valid = true;
    } catch {
      valid = false;
    }
    const duplicate = seen.has(key);
    seen.add(key);
    process.stdout.write(
      `${JSON.stringify({ at: new Date().toISOString(), duplicate, idempotencyKey: key, signatureValid: valid, traceparent: req.headers['traceparent'], alert: JSON.parse(body || '{}') as unknown })}\n`,
    );
    res.writeHead(valid ? 200 : 401).end();
  });
}).listen(port, '127.0.0.1');
