import {
  MAX_QUOTES_PER_ENTRY,
  QUOTE_STREAM_KEY,
  type Quote,
  quoteStreamFields,
} from '@freeride/contracts';
import { type MarketDataRouter, QuoteStreamer } from '@freeride/market-data';
import { nestLogSink } from '@freeride/observability';
import type { RedisClient } from '@freeride/redis-connection';
import {
  ATTR,
  TRACER_NAME,
  recordError,
  traceparentOf,
} from '@freeride/tracing';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  context,
  trace,
} from '@opentelemetry/api';

import {
  MARKET_GATEWAY_CONFIG,
  type MarketGatewayConfig,
} from '../config/market-gateway.config';
import {
  MARKET_DATA_ROUTER,
  REDIS_CLIENT,
} from '../market-data/market-data.constants';
import { MarketDataMetrics } from '../market-data/market-data.metrics';

/**
 * Streams trades of `STREAM_SYMBOLS` from the first streaming provider and
 * publishes each as a quote to the `freeride:quotes` Redis stream, with the
 * publishing span's `traceparent`, for apps/trading.
 *
 * Each publish span is the root of its own trace (one trace per tick, through
 * evaluation to delivery), linked to the span that opened the subscription:
 * a parent would put every tick since start into one trace.
 *
 * The quotes of one provider message (a websocket frame carries every trade
 * since the last one) go out as one stream entry, each with its own
 * traceparent: they are gathered while the frame is handled and written
 * right after it (a microtask, no timer), so batching adds no wait, and at
 * high rates Redis and every reader pay per frame, not per trade.
 */
@Injectable()
export class QuoteStreamService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(QuoteStreamService.name);
  private streamer?: QuoteStreamer;
  private subscription?: SpanContext;
  /** Quotes of the provider message being handled, each with its publish span. */
  private gathered: { quote: Quote; span: Span }[] = [];
  /** The write of {@link gathered} after the current message. */
  private flushing?: Promise<void>;
  /** Quotes per entry of recent frames (a moving average), for the trim. */
  private quotesPerEntry = 1;

  constructor(
    @Inject(MARKET_GATEWAY_CONFIG) private readonly config: MarketGatewayConfig,
    private readonly metrics: MarketDataMetrics,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(MARKET_DATA_ROUTER) private readonly router: MarketDataRouter,
  ) {}

  /** Whether the provider websocket is connected. */
  get connected(): boolean {
    return this.streamer?.connected ?? false;
  }

  onApplicationBootstrap(): void {
    if (this.config.stream.symbols.length === 0) return;
    this.streamer = new QuoteStreamer({
      failoverAfterMs: this.config.stream.failoverAfterMs,
      logger: nestLogSink(this.logger),
      maxQuoteAgeMs: this.config.cache.maxQuoteAgeMs,
      onQuote: (quote) => void this.publish(quote),
      onStatus: (provider, status) => {
        if (status.state === 'connected')
          this.metrics.streamConnected.set({ provider }, 1);
        if (status.state === 'disconnected') {
          this.metrics.streamConnected.set({ provider }, 0);
          this.metrics.streamDisconnects.inc({ provider });
        }
      },
      providers: this.config.stream.providers,
      router: this.router,
      symbols: this.config.stream.symbols,
    });
    const span = trace
      .getTracer(TRACER_NAME)
      .startSpan('market-gateway quote-stream.subscribe', {
        attributes: {
          [ATTR.MARKET_SYMBOLS]: this.config.stream.symbols.length,
        },
      });
    this.subscription = span.spanContext();
    context.with(trace.setSpan(context.active(), span), () =>
      this.streamer!.start(),
    );
    span.end();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.streamer?.stop();
  }

  /**
   * Publishes one quote: with the other quotes of the same provider message,
   * in one entry appended to the stream (which keeps about
   * `QUOTE_STREAM_MAXLEN` quotes). Resolves once written; a failure is logged and recorded
   * on each quote's span, never thrown.
   */
  publish(quote: Quote): Promise<void> {
    const span = trace
      .getTracer(TRACER_NAME)
      .startSpan('market-gateway quote.publish', {
        attributes: { [ATTR.MARKET_PROVIDER]: quote.provider },
        links: this.subscription ? [{ context: this.subscription }] : [],
        root: true,
      });
    this.gathered.push({ quote, span });
    if (this.gathered.length >= MAX_QUOTES_PER_ENTRY) return this.flush();
    this.flushing ??= Promise.resolve().then(() => {
      this.flushing = undefined;
      return this.flush();
    });
    return this.flushing;
  }

  /** Writes the quotes gathered so far as one entry. */
  private async flush(): Promise<void> {
    const batch = this.gathered;
    if (batch.length === 0) return;
    this.gathered = [];
    // QUOTE_STREAM_MAXLEN counts quotes; MAXLEN counts entries.
    this.quotesPerEntry += (batch.length - this.quotesPerEntry) / 20;
    const maxEntries = Math.max(
      1,
      Math.round(this.config.stream.maxLen / this.quotesPerEntry),
    );
    try {
      const fields = quoteStreamFields(
        batch.map((b) => b.quote),
        Date.now(),
        batch.map((b) => traceparentOf(b.span)),
      );
      // The write's own span goes into the first quote's trace, never into
      // the context the message arrived in (the subscription's).
      await context.with(trace.setSpan(ROOT_CONTEXT, batch[0].span), () =>
        this.redis.xadd(
          QUOTE_STREAM_KEY,
          'MAXLEN',
          '~',
          String(maxEntries),
          '*',
          ...fields,
        ),
      );
      for (const { quote } of batch)
        this.metrics.streamPublished.inc({ provider: quote.provider });
    } catch (err) {
      for (const { span } of batch) recordError(span, err);
      this.logger.warn(
        { err, provider: batch[0].quote.provider, quotes: batch.length },
        'quote publish failed',
      );
    } finally {
      for (const { span } of batch) span.end();
    }
  }
}
