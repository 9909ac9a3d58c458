import { type LogSink, NOOP_LOG_SINK, type Quote } from '@freeride/contracts';

import type {
  ProviderName,
  StreamStatus,
  TradeSubscription,
} from '../market-data.types';
import type { MarketDataRouter } from './market-data-router';
import { tradeToQuote } from './quote-mapping';

/** Options of {@link QuoteStreamer}. */
export interface QuoteStreamerOptions {
  /**
   * Moves to the next streaming provider when the current one has been
   * disconnected this long (0 keeps reconnecting to it for ever).
   * @default 30000
   */
  failoverAfterMs?: number;
  /** @default NOOP_LOG_SINK */
  logger?: LogSink;
  /** Trades older than this are published flagged `stale`. */
  maxQuoteAgeMs: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Called with every trade as a quote. */
  onQuote: (quote: Quote) => void;
  /** Called on every connection status change. */
  onStatus?: (provider: ProviderName, status: StreamStatus) => void;
  /** Stream providers in order of preference. */
  providers: readonly ProviderName[];
  router: MarketDataRouter;
  symbols: readonly string[];
}

/**
 * Keeps one trade stream open with the first provider that has a usable key.
 * The provider's socket reconnects and resubscribes by itself; a fatal status
 * (key refused) revokes the key and moves to the next key, then to the next
 * provider.
 */
export class QuoteStreamer {
  private failoverTimer?: NodeJS.Timeout;
  private index = 0;
  private key?: string;
  private readonly logger: LogSink;
  private subscription?: TradeSubscription;
  private stopped = false;

  constructor(private readonly options: QuoteStreamerOptions) {
    this.logger = options.logger ?? NOOP_LOG_SINK;
  }

  /** The provider currently streaming, if any. */
  get activeProvider(): ProviderName | undefined {
    return this.subscription ? this.options.providers[this.index] : undefined;
  }

  /** Whether the stream is connected and subscribed. */
  get connected(): boolean {
    return this.subscription?.connected ?? false;
  }

  /** Opens the stream. */
  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Adds symbols to the live subscription. */
  add(symbols: readonly string[]): void {
    this.subscription?.add(symbols);
  }

  /** Closes the stream. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarmFailover();
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private open(): void {
    const now = this.options.now ?? Date.now;
    const count = this.options.providers.length;
    for (let tried = 0; tried < count && !this.stopped; tried++) {
      const index = (this.index + tried) % count;
      const name = this.options.providers[index];
      const slot = this.options.router.slot(name);
      const key = slot.keys.streamKey();
      if (!key || !slot.client.capabilities.includes('trades')) continue;
      this.index = index;
      this.key = key;
      this.subscription = slot.client.subscribe({
        apiKey: () => this.key ?? key,
        onStatus: (status) => this.onStatus(name, status),
        onTrade: (trade) =>
          this.options.onQuote(
            tradeToQuote(trade, now(), this.options.maxQuoteAgeMs),
          ),
        symbols: this.options.symbols,
      });
      this.logger.info(
        { provider: name, symbols: this.options.symbols.length },
        'quote stream opened',
      );
      return;
    }
    if (!this.stopped)
      this.logger.error(
        { providers: this.options.providers },
        'no provider can stream quotes',
      );
  }

  /** Closes the current subscription and opens the next provider's (or the next key's). */
  private reopen(advance: boolean): void {
    this.disarmFailover();
    if (advance) this.index = (this.index + 1) % this.options.providers.length;
    const previous = this.subscription;
    this.subscription = undefined;
    void (previous?.close() ?? Promise.resolve()).then(() => {
      if (!this.stopped) this.open();
    });
  }

  private armFailover(provider: ProviderName): void {
    const after = this.options.failoverAfterMs ?? 30_000;
    if (after <= 0 || this.failoverTimer || this.options.providers.length < 2)
      return;
    this.failoverTimer = setTimeout(() => {
      this.failoverTimer = undefined;
      this.logger.warn({ afterMs: after, provider }, 'quote stream failover');
      this.reopen(true);
    }, after);
    this.failoverTimer.unref();
  }

  private disarmFailover(): void {
    clearTimeout(this.failoverTimer);
    this.failoverTimer = undefined;
  }

  private onStatus(provider: ProviderName, status: StreamStatus): void {
    this.options.onStatus?.(provider, status);
    if (this.stopped || provider !== this.options.providers[this.index]) return;
    if (status.state === 'connected') this.disarmFailover();
    if (status.state === 'disconnected') this.armFailover(provider);
    if (status.state === 'disconnected')
      this.logger.warn(
        { provider, reason: status.reason },
        'quote stream disconnected',
      );
    if (status.state !== 'error') return;
    this.logger.warn(
      { err: status.error, fatal: status.fatal, provider },
      'quote stream error',
    );
    if (!status.fatal || this.stopped) return;
    if (this.key) this.options.router.slot(provider).keys.revokeKey(this.key);
    // Another key of the same provider first; open() moves on when none is left.
    this.reopen(false);
  }
}
