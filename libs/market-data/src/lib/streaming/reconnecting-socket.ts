import { backoffDelayMs } from '@freeride/backoff';

import WebSocket from 'ws';

/** Options of {@link ReconnectingSocket}. */
export interface ReconnectingSocketOptions {
  /**
   * Delay before the first reconnect; doubles up to {@link maxBackoffMs}.
   * @default 250
   */
  initialBackoffMs?: number;
  /**
   * Upper bound of the reconnect delay.
   * @default 10000
   */
  maxBackoffMs?: number;
  /** Called on every close; `fatal` stops reconnecting. */
  onClose?: (reason: string) => void;
  /** Called with each text frame. */
  onMessage: (text: string, socket: WebSocket) => void;
  /** Called when a connection opens (send auth/subscribe here). */
  onOpen: (socket: WebSocket) => void;
  /** Builds the URL on every attempt, so a replaced API key is picked up. */
  url: () => string;
}

/**
 * A websocket that reconnects with exponential backoff after any close,
 * until {@link close} or {@link stop} is called. Protocol-level pings are
 * answered by `ws` itself (Polygon keeps the socket alive with them).
 */
export class ReconnectingSocket {
  private attempt = 0;
  private socket?: WebSocket;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: ReconnectingSocketOptions) {}

  /** Whether the socket is open right now. */
  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the first connection. */
  start(): void {
    this.connect();
  }

  /** Sends a JSON message when open; returns false when it could not. */
  send(message: unknown): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Marks the connection healthy: the next reconnect starts from the initial backoff. */
  markHealthy(): void {
    this.attempt = 0;
  }

  /** Stops reconnecting (after a fatal provider status) and closes the socket. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.terminate();
  }

  /** Closes for good and waits for the socket to close. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.terminate();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url());
    this.socket = socket;
    socket.on('open', () => this.options.onOpen(socket));
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (isBinary) return;
      this.options.onMessage(
        Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(
              Array.isArray(data) ? data : [Buffer.from(data)],
            ).toString('utf8'),
        socket,
      );
    });
    // 'error' is always followed by 'close'; handling it keeps it from throwing.
    socket.on('error', () => undefined);
    socket.on('close', (code: number) => {
      if (this.socket !== socket) return;
      this.options.onClose?.(`closed with code ${code}`);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    // Equal jitter keeps many gateways from reconnecting in lock step.
    const delay = backoffDelayMs(this.attempt, {
      baseMs: this.options.initialBackoffMs ?? 250,
      jitter: 'equal',
      maxMs: this.options.maxBackoffMs ?? 10_000,
    });
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
    this.timer.unref();
  }
}
