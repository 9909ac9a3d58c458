import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';

import {
  type FakeProviderOptions,
  FakeProviderServer,
  type FakeRequest,
  type FakeResponse,
  basePrice,
  currentPrice,
  json,
} from './fake-server';

const requestId = (): string => randomUUID().replace(/-/g, '');

/**
 * Fake Polygon.io / Massive: `GET /v2/last/trade/{T}`,
 * `GET /v2/aggs/ticker/{T}/range/{m}/{timespan}/{from}/{to}`, websocket at
 * `/stocks` with the connected → auth → subscribe status sequence and
 * batched array frames.
 * @see https://polygon.io/docs/rest/quickstart
 */
export function createPolygonFake(
  options: FakeProviderOptions = {},
): FakeProviderServer {
  const unknown = new Set(options.unknownSymbols ?? ['ZZZZ']);
  const fake: FakeProviderServer = new FakeProviderServer('polygon', options, {
    keyOf: (req, query) => {
      const auth = req.headers.authorization;
      return auth?.startsWith('Bearer ')
        ? auth.slice(7)
        : (query.get('apiKey') ?? undefined);
    },
    onAuthFailed: () =>
      json(401, {
        error: 'Unknown API Key',
        request_id: requestId(),
        status: 'ERROR',
      }),
    onRateLimited: (): FakeResponse =>
      json(
        429,
        {
          error:
            "You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.",
          request_id: requestId(),
          status: 'ERROR',
        },
        options.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(options.retryAfterSeconds) },
      ),
    onRequest: (req: FakeRequest, now: number): FakeResponse => {
      const trade = /^\/v2\/last\/trade\/([^/]+)$/.exec(req.path);
      if (trade) {
        const symbol = decodeURIComponent(trade[1]);
        if (unknown.has(symbol))
          return json(404, {
            message: 'Data not found.',
            request_id: requestId(),
            status: 'NOT_FOUND',
          });
        // REST trade timestamps are nanoseconds.
        const ns = now * 1_000_000 + 617_300;
        return json(200, {
          request_id: requestId(),
          results: {
            T: symbol,
            c: [12, 37],
            f: ns,
            i: '237688',
            p: currentPrice(symbol, now),
            q: 7084210,
            r: 202,
            s: 2,
            t: ns,
            x: 4,
            y: ns,
            z: 3,
          },
          status: 'OK',
        });
      }
      const aggs =
        /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/(minute|hour)\/(\d+)\/(\d+)$/.exec(
          req.path,
        );
      if (aggs) {
        const [, rawSymbol, mult, span, , to] = aggs;
        const symbol = decodeURIComponent(rawSymbol);
        const step = Number(mult) * (span === 'hour' ? 3_600_000 : 60_000);
        const end = Math.min(Number(to), now);
        const results = Array.from({ length: 12 }, (_, i) => {
          const t = Math.floor(end / step) * step - (11 - i) * step;
          const o = basePrice(symbol);
          return {
            T: symbol,
            c: o * 1.001,
            h: o * 1.002,
            l: o * 0.998,
            n: 10,
            o,
            t,
            v: 1000 + i,
            vw: o,
          };
        });
        return json(200, {
          adjusted: true,
          count: results.length,
          queryCount: results.length,
          request_id: requestId(),
          results,
          resultsCount: results.length,
          status: 'OK',
          ticker: symbol,
        });
      }
      return json(404, {
        message: 'Not found',
        request_id: requestId(),
        status: 'NOT_FOUND',
      });
    },
    onSocket: (ws: WebSocket) => {
      const symbols = new Set<string>();
      let authenticated = false;
      ws.send(
        JSON.stringify([
          {
            ev: 'status',
            message: 'Connected Successfully',
            status: 'connected',
          },
        ]),
      );
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as {
          action?: string;
          params?: string;
        };
        if (msg.action === 'auth') {
          if (fake.acceptsKey(msg.params)) {
            authenticated = true;
            ws.send(
              JSON.stringify([
                {
                  ev: 'status',
                  message: 'authenticated',
                  status: 'auth_success',
                },
              ]),
            );
          } else {
            ws.send(
              JSON.stringify([
                {
                  ev: 'status',
                  message: 'authentication failed',
                  status: 'auth_failed',
                },
              ]),
            );
            ws.close();
          }
          return;
        }
        if (msg.action === 'subscribe' && authenticated && msg.params) {
          const topics = msg.params.split(',');
          for (const topic of topics) {
            const sym = topic.replace(/^T\./, '');
            symbols.add(sym);
            fake.wsSubscriptions.push(sym);
          }
          ws.send(
            JSON.stringify(
              topics.map((t) => ({
                ev: 'status',
                message: `subscribed to: ${t}`,
                status: 'success',
              })),
            ),
          );
        }
      });
      let seq = 3681328;
      return {
        tick: (now: number) => {
          if (!authenticated || symbols.size === 0) return false;
          ws.send(
            JSON.stringify(
              [...symbols].map((sym) => ({
                c: [37],
                ev: 'T',
                i: String(seq),
                p: currentPrice(sym, now),
                q: seq++,
                s: 3,
                sym,
                t: now,
                x: 4,
                z: 3,
              })),
            ),
          );
          return true;
        },
      };
    },
    wsPath: '/stocks',
  });
  return fake;
}
