import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * What a fake provider does, switchable at run time (method or
 * `POST /__scenario {"scenario": "..."}`):
 * - `normal`: documented bodies, current prices;
 * - `slow`: every REST answer delayed by `slowMs`;
 * - `rate-limit-429`: HTTP 429 with the provider's body (with `Retry-After` when `retryAfterSeconds` is set);
 * - `rate-limit-note`: Alpha Vantage's HTTP 200 `Information`/`Note` bodies (others: same as 429);
 * - `errors`: HTTP 500, and websocket upgrades refused;
 * - `garbage`: HTTP 200 with a truncated, non-JSON body;
 * - `empty`: HTTP 200 with an empty body;
 * - `disconnect`: websocket clients are dropped after `disconnectAfterFrames` trade frames;
 * - `stale`: prices stamped `staleByMs` in the past;
 * - `auth-failed`: every key refused.
 */
export type FakeScenario =
  | 'auth-failed'
  | 'disconnect'
  | 'empty'
  | 'errors'
  | 'garbage'
  | 'normal'
  | 'rate-limit-429'
  | 'rate-limit-note'
  | 'slow'
  | 'stale';

/** All scenarios, for the CLI and tests. */
export const FAKE_SCENARIOS: readonly FakeScenario[] = [
  'auth-failed',
  'disconnect',
  'empty',
  'errors',
  'garbage',
  'normal',
  'rate-limit-429',
  'rate-limit-note',
  'slow',
  'stale',
];

/** A documented plan limit the fake enforces per key. */
export interface FakePlanLimit {
  limit: number;
  windowMs: number;
}

/** Options shared by every fake. */
export interface FakeProviderOptions {
  /**
   * Frames sent on a socket before `disconnect` drops it.
   * @default 3
   */
  disconnectAfterFrames?: number;
  /** Valid API keys; empty means any non-empty key. @default [] */
  keys?: readonly string[];
  /** Limits enforced per key; calls beyond them get the provider's rate-limit answer and are counted in `overLimitCalls`. */
  plan?: readonly FakePlanLimit[];
  /** @default 0 (any free port) */
  port?: number;
  /** Address to listen on (`0.0.0.0` in a container). @default '127.0.0.1' */
  host?: string;
  /** `Retry-After` seconds on 429 answers; omitted when undefined. */
  retryAfterSeconds?: number;
  /** @default 'normal' */
  scenario?: FakeScenario;
  /** @default 2000 */
  slowMs?: number;
  /** @default 3 hours */
  staleByMs?: number;
  /** Ms between trade frames on the websocket. @default 100 */
  tickIntervalMs?: number;
  /** Symbols the fake does not know. @default ['ZZZZ'] */
  unknownSymbols?: readonly string[];
}

/** A REST request as the provider-specific handler sees it. */
export interface FakeRequest {
  key: string | undefined;
  path: string;
  query: URLSearchParams;
}

/** A REST answer. */
export interface FakeResponse {
  body: string;
  headers?: Record<string, string>;
  status: number;
}

/** Deterministic price of a symbol around which the fake quotes (10..510). */
export function basePrice(symbol: string): number {
  let h = 0;
  for (const c of symbol) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 10 + (h % 50_000) / 100;
}

/** Current price: the base price plus a small drift over time. */
export function currentPrice(symbol: string, now: number): number {
  const base = basePrice(symbol);
  return Math.round((base + Math.sin(now / 10_000) * base * 0.001) * 100) / 100;
}

/** JSON answer helper. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
    status,
  };
}

/** What each provider fake implements. */
export interface FakeProviderBehaviour {
  /** Extracts the API key of a REST request (header or query). */
  keyOf(req: IncomingMessage, query: URLSearchParams): string | undefined;
  /** The provider's answer to a refused key. */
  onAuthFailed(req: FakeRequest): FakeResponse;
  /** The provider's answer to a limited call (`note`: AV's 200 body variant). */
  onRateLimited(req: FakeRequest, note: boolean): FakeResponse;
  /** The normal answer (`now` is already shifted for the `stale` scenario). */
  onRequest(req: FakeRequest, now: number): FakeResponse;
  /** A websocket connection: wire subscribe/auth handling; return a tick function for subscribed symbols. */
  onSocket(
    socket: WebSocket,
    req: IncomingMessage,
    fake: FakeProviderServer,
  ): FakeSocketSession;
  /** Path of the websocket endpoint (e.g. `/` or `/stocks`). */
  wsPath: string;
}

/** A websocket session of a fake: emits a trade frame for the subscribed symbols. */
export interface FakeSocketSession {
  /** Sends one trade frame (called every `tickIntervalMs`); returns whether anything was sent. */
  tick(now: number): boolean;
}

/**
 * A local HTTP + websocket server for one provider, on 127.0.0.1. Counts
 * every REST call per key and symbol and every call over the plan limit.
 */
export class FakeProviderServer {
  /** REST calls per API key. */
  readonly callsByKey = new Map<string, number>();
  /** REST calls per symbol. */
  readonly callsBySymbol = new Map<string, number>();
  /** REST calls over the plan limit (the gateway must keep this at 0). */
  overLimitCalls = 0;
  /** Total REST calls. */
  totalCalls = 0;
  /** Websocket connections accepted. */
  wsConnections = 0;
  /** Subscribe messages received over the websockets. */
  readonly wsSubscriptions: string[] = [];
  scenario: FakeScenario;
  private readonly history = new Map<string, number[]>();
  private readonly server: Server;
  private readonly sessions = new Map<
    WebSocket,
    { frames: number; session: FakeSocketSession }
  >();
  private ticker?: NodeJS.Timeout;
  private readonly wss: WebSocketServer;

  constructor(
    readonly name: string,
    readonly options: FakeProviderOptions,
    private readonly behaviour: FakeProviderBehaviour,
  ) {
    this.scenario = options.scenario ?? 'normal';
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      // In the `errors` scenario the websocket endpoint is down too.
      if (path !== behaviour.wsPath || this.scenario === 'errors') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
    });
  }

  /** Port once started. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** REST base URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Websocket URL (including the provider's path). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}${this.behaviour.wsPath}`;
  }

  /** Open websocket clients. */
  get openSockets(): number {
    return this.sessions.size;
  }

  /** Starts listening on `host` (127.0.0.1 unless given). */
  async start(): Promise<this> {
    await new Promise<void>((resolve) =>
      this.server.listen(
        this.options.port ?? 0,
        this.options.host ?? '127.0.0.1',
        resolve,
      ),
    );
    this.ticker = setInterval(
      () => this.tick(),
      this.options.tickIntervalMs ?? 100,
    );
    this.ticker.unref();
    return this;
  }

  /** Switches the scenario. */
  setScenario(scenario: FakeScenario): void {
    this.scenario = scenario;
  }

  /** Clears the counters. */
  resetCounters(): void {
    this.callsByKey.clear();
    this.callsBySymbol.clear();
    this.history.clear();
    this.overLimitCalls = 0;
    this.totalCalls = 0;
  }

  /** Terminates every websocket client (a killed connection). */
  dropSockets(): void {
    for (const ws of this.sessions.keys()) ws.terminate();
  }

  /** Stops the server and every socket. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.dropSockets();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Whether `key` is accepted in the current scenario. */
  acceptsKey(key: string | undefined): boolean {
    if (this.scenario === 'auth-failed' || !key) return false;
    const keys = this.options.keys ?? [];
    return keys.length === 0 || keys.includes(key);
  }

  /** The clock of prices: shifted into the past in the `stale` scenario. */
  priceClock(): number {
    return (
      Date.now() -
      (this.scenario === 'stale'
        ? (this.options.staleByMs ?? 3 * 3_600_000)
        : 0)
    );
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    this.wsConnections += 1;
    const session = this.behaviour.onSocket(ws, req, this);
    this.sessions.set(ws, { frames: 0, session });
    ws.on('close', () => this.sessions.delete(ws));
    ws.on('error', () => undefined);
  }

  private tick(): void {
    const now = this.priceClock();
    for (const [ws, state] of this.sessions) {
      if (ws.readyState !== ws.OPEN) continue;
      if (state.session.tick(now)) state.frames += 1;
      if (
        this.scenario === 'disconnect' &&
        state.frames >= (this.options.disconnectAfterFrames ?? 3)
      )
        ws.terminate();
    }
  }

  /**
   * Whether a call now would exceed the plan; records it when it does not
   * (refused calls do not count against the window).
   */
  private overLimit(key: string): boolean {
    const now = Date.now();
    const list = this.history.get(key) ?? [];
    const longest = Math.max(
      0,
      ...(this.options.plan ?? []).map((p) => p.windowMs),
    );
    while (list.length > 0 && list[0] <= now - longest) list.shift();
    this.history.set(key, list);
    const over = (this.options.plan ?? []).some(
      (p) => list.filter((t) => t > now - p.windowMs).length >= p.limit,
    );
    if (!over) list.push(now);
    return over;
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname === '/__scenario' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { scenario } = JSON.parse(
        Buffer.concat(chunks).toString('utf8'),
      ) as { scenario: FakeScenario };
      if (!FAKE_SCENARIOS.includes(scenario)) {
        res.writeHead(400).end();
        return;
      }
      this.setScenario(scenario);
      res.writeHead(204).end();
      return;
    }
    const key = this.behaviour.keyOf(req, url.searchParams);
    const request: FakeRequest = {
      key,
      path: url.pathname,
      query: url.searchParams,
    };
    this.totalCalls += 1;
    if (key) this.callsByKey.set(key, (this.callsByKey.get(key) ?? 0) + 1);
    const symbol =
      url.searchParams.get('symbol') ??
      /\/(?:trade|ticker)\/([^/]+)/.exec(url.pathname)?.[1];
    if (symbol)
      this.callsBySymbol.set(symbol, (this.callsBySymbol.get(symbol) ?? 0) + 1);

    let answer: FakeResponse;
    if (key && this.overLimit(key)) {
      this.overLimitCalls += 1;
      answer = this.behaviour.onRateLimited(request, false);
    } else {
      answer = await this.answer(request);
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private async answer(req: FakeRequest): Promise<FakeResponse> {
    switch (this.scenario) {
      case 'slow':
        await new Promise((r) =>
          setTimeout(r, this.options.slowMs ?? 2000).unref(),
        );
        break;
      case 'rate-limit-429':
        return this.behaviour.onRateLimited(req, false);
      case 'rate-limit-note':
        return this.behaviour.onRateLimited(req, true);
      case 'errors':
        return {
          body: 'Internal Server Error',
          headers: { 'content-type': 'text/plain' },
          status: 500,
        };
      case 'garbage':
        return {
          body: '{"c":12.3,"d":<html>oops',
          headers: { 'content-type': 'application/json' },
          status: 200,
        };
      case 'empty':
        return {
          body: '',
          headers: { 'content-type': 'application/json' },
          status: 200,
        };
      default:
        break;
    }
    if (!this.acceptsKey(req.key)) return this.behaviour.onAuthFailed(req);
    return this.behaviour.onRequest(req, this.priceClock());
  }
}
