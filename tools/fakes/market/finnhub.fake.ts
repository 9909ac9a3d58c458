import type { WebSocket } from 'ws';

import {
  type FakeProviderOptions,
  FakeProviderServer,
  type FakeRequest,
  type FakeResponse,
  currentPrice,
  json,
} from './fake-server';

/**
 * Fake Finnhub: `GET /quote`, `GET /company-news`, websocket trades at `/`
 * (`?token=`), speaking Finnhub's documented bodies.
 * @see https://finnhub.io/docs/api
 */
export function createFinnhubFake(
  options: FakeProviderOptions = {},
): FakeProviderServer {
  const unknown = new Set(options.unknownSymbols ?? ['ZZZZ']);
  const fake: FakeProviderServer = new FakeProviderServer('finnhub', options, {
    keyOf: (req, query) =>
      (req.headers['x-finnhub-token'] as string | undefined) ??
      query.get('token') ??
      undefined,
    onAuthFailed: () => json(401, { error: 'Invalid API key' }),
    onRateLimited: (): FakeResponse =>
      json(
        429,
        {
          error:
            'API limit reached. Please try again later. Remaining Limit: 0',
        },
        options.retryAfterSeconds === undefined
          ? {}
          : { 'retry-after': String(options.retryAfterSeconds) },
      ),
    onRequest: (req: FakeRequest, now: number): FakeResponse => {
      const symbol = req.query.get('symbol') ?? '';
      if (req.path === '/quote') {
        if (unknown.has(symbol))
          return json(200, {
            c: 0,
            d: null,
            dp: null,
            h: 0,
            l: 0,
            o: 0,
            pc: 0,
            t: 0,
          });
        const c = currentPrice(symbol, now);
        const pc = Math.round(c * 0.99 * 100) / 100;
        return json(200, {
          c,
          d: Math.round((c - pc) * 100) / 100,
          dp: Math.round(((c - pc) / pc) * 10_000) / 100,
          h: Math.round(c * 1.01 * 100) / 100,
          l: Math.round(c * 0.98 * 100) / 100,
          o: pc,
          pc,
          t: Math.floor(now / 1000),
        });
      }
      if (req.path === '/company-news') {
        const t = Math.floor(now / 1000);
        return json(
          200,
          [0, 1, 2].map((i) => ({
            category: 'company',
            datetime: t - i * 3600,
            headline: `${symbol} headline ${i}`,
            id: 125937342 + i,
            image: 'https://example.invalid/image.jpg',
            related: symbol,
            source: 'Yahoo',
            summary: `${symbol} summary ${i}`,
            url: `https://example.invalid/news/${symbol}/${i}`,
          })),
        );
      }
      return json(404, { error: 'Not found' });
    },
    onSocket: (ws: WebSocket, req) => {
      const token =
        new URL(req.url ?? '/', 'http://fake').searchParams.get('token') ??
        undefined;
      const symbols = new Set<string>();
      if (!fake.acceptsKey(token)) {
        // Finnhub closes the socket on a bad token.
        ws.close(1008, 'Invalid API key');
        return { tick: () => false };
      }
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as {
          symbol?: string;
          type?: string;
        };
        if (msg.type === 'subscribe' && msg.symbol) {
          symbols.add(msg.symbol);
          fake.wsSubscriptions.push(msg.symbol);
        }
        if (msg.type === 'unsubscribe' && msg.symbol)
          symbols.delete(msg.symbol);
      });
      let ticks = 0;
      return {
        tick: (now: number) => {
          ticks += 1;
          if (ticks % 20 === 0) ws.send(JSON.stringify({ type: 'ping' }));
          if (symbols.size === 0) return false;
          ws.send(
            JSON.stringify({
              data: [...symbols].map((s) => ({
                c: null,
                p: currentPrice(s, now),
                s,
                t: now,
                v: 100,
              })),
              type: 'trade',
            }),
          );
          return true;
        },
      };
    },
    wsPath: '/',
  });
  return fake;
}
