import { QUOTE_STREAM_KEY, type Quote } from '@freeride/contracts';
import { type MarketDataRouter, QuoteStreamer } from '@freeride/market-data';
import { nestLogSink } from '@freeride/observability';
import type { RedisClient } from '@freeride/redis-connection';
import {
  ATTR,
  TRACER_NAME,
  currentTraceparent,
  recordError,
} from '@freeride/tracing';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type SpanContext, context, trace } from '@opentelemetry/api';

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
 */
@Injectable()
export class QuoteStreamService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(QuoteStreamService.name);
  private streamer?: QuoteStreamer;
  private subscription?: SpanContext;

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

  /** Appends one quote to the stream (capped at `QUOTE_STREAM_MAXLEN`, approximately). */
  async publish(quote: Quote): Promise<void> {
    const tracer = trace.getTracer(TRACER_NAME);
    const span = tracer.startSpan('market-gateway quote.publish', {
      attributes: { [ATTR.MARKET_PROVIDER]: quote.provider },
      links: this.subscription ? [{ context: this.subscription }] : [],
      root: true,
    });
    try {
      await context.with(trace.setSpan(context.active(), span), async () => {
        const fields = [
          'kind',
          'quote',
          'symbol',
          quote.symbol,
          'payload',
          JSON.stringify(quote),
          'producedAt',
          String(Date.now()),
        ];
        const traceparent = currentTraceparent();
        if (traceparent) fields.push('traceparent', traceparent);
        await this.redis.xadd(
          QUOTE_STREAM_KEY,
          'MAXLEN',
          '~',
          String(this.config.stream.maxLen),
          '*',
          ...fields,
        );
      });
      this.metrics.streamPublished.inc({ provider: quote.provider });
    } catch (err) {
      recordError(span, err);
      this.logger.warn(
        { err, provider: quote.provider },
        'quote publish failed',
      );
    } finally {
      span.end();
    }
  }
}
