import type { RedisClient } from '@freeride/redis-connection';
import {
  type NewsStory,
  SentimentPipeline,
  buildSentimentRequest,
  chunk,
  dedupStories,
  parseSentimentContent,
} from '@freeride/trading-rules';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type OpenAI, toFile } from 'openai';
import type { Pool } from 'pg';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { PG_POOL, REDIS_CLIENT } from '../database/database.constants';
import { EvaluationService } from '../evaluation/evaluation.service';
import { scoreWithOpenAi } from './openai-scorer';
import { RedisSentimentCache } from './redis-sentiment.cache';
import {
  NEWS_LOOKBACK_DAYS,
  OPENAI_CLIENT,
  SIGNAL_KEY_PREFIX,
} from './sentiment.constants';
import { NewsUnavailableError } from './sentiment.errors';

/** A symbol's current sentiment signal. */
export interface SentimentSignal {
  score: number;
  stories: number;
  symbol: string;
  updatedAt: string;
}

/** What one refresh did. */
export interface RefreshResult {
  headlines: number;
  requests: number;
  scored: number;
  signals: SentimentSignal[];
  triggers: number;
  unique: number;
}

/**
 * The sentiment pipeline of the app: gateway news → {@link SentimentPipeline}
 * (dedup, delta, batched OpenAI requests, Redis cache) → signals evaluated as
 * alert conditions. Backfills go through the Batch API.
 */
@Injectable()
export class SentimentService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(SentimentService.name);
  private readonly pipeline: SentimentPipeline;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly evaluation: EvaluationService,
    @Inject(OPENAI_CLIENT) private readonly openai: OpenAI,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {
    this.pipeline = new SentimentPipeline({
      batchSize: config.sentiment.batchSize,
      cache: new RedisSentimentCache(redis, config.sentiment.cacheTtlSeconds),
      scorer: (items) => scoreWithOpenAi(openai, config.sentiment.model, items),
    });
  }

  onApplicationBootstrap(): void {
    const { intervalMs } = this.config.sentiment;
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.refreshWatched().catch((err: unknown) =>
        this.logger.warn({ err }, 'scheduled sentiment refresh failed'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Refreshes the symbols that have active sentiment rules. */
  async refreshWatched(): Promise<RefreshResult> {
    const { rows } = await this.pool.query<{ symbol: string }>(
      `SELECT DISTINCT symbol FROM alert_rules
       WHERE active AND condition->>'type' IN ('sentiment_above', 'sentiment_below')`,
    );
    return this.refresh(rows.map((r) => r.symbol));
  }

  async refresh(symbols: readonly string[]): Promise<RefreshResult> {
    const news = await Promise.all(
      symbols.map(async (symbol) => ({
        stories: await this.fetchNews(symbol),
        symbol,
      })),
    );
    const run = await this.pipeline.run(news);
    const now = Date.now();
    const signals: SentimentSignal[] = [];
    for (const [symbol, entry] of run.symbols) {
      if (entry.signal === undefined) continue;
      signals.push({
        score: entry.signal,
        stories: entry.stories.size,
        symbol,
        updatedAt: new Date(now).toISOString(),
      });
    }
    await this.storeSignals(signals);
    const triggers = await this.evaluation.evaluateSignals(
      signals.map((s) => ({
        asOf: now,
        metric: 'sentiment',
        symbol: s.symbol,
        value: s.score,
      })),
    );
    this.logger.log(
      {
        headlines: run.headlines,
        requests: run.requests,
        scored: run.scored,
        triggers,
        unique: run.unique,
      },
      'sentiment refreshed',
    );
    return {
      headlines: run.headlines,
      requests: run.requests,
      scored: run.scored,
      signals,
      triggers,
      unique: run.unique,
    };
  }

  async signal(symbol: string): Promise<SentimentSignal | undefined> {
    const raw = await this.redis.get(SIGNAL_KEY_PREFIX + symbol);
    return raw ? (JSON.parse(raw) as SentimentSignal) : undefined;
  }

  /**
   * Scores a symbol set's news through the Batch API (half price, separate
   * limits, up to 24 h): upload JSONL, create the batch, poll, read the
   * output joined on `custom_id`. Returns the batch id and scored stories.
   * @see https://platform.openai.com/docs/guides/batch
   */
  async backfill(
    symbols: readonly string[],
    pollMs = 500,
    maxPolls = 120,
  ): Promise<{ batchId: string; scored: number }> {
    const items = [];
    for (const symbol of symbols) {
      for (const s of dedupStories(symbol, await this.fetchNews(symbol))) {
        items.push({ id: s.key, symbol, text: s.text });
      }
    }
    const requests = chunk(items, this.config.sentiment.batchSize);
    const jsonl = requests
      .map((batch, i) =>
        JSON.stringify({
          body: buildSentimentRequest(this.config.sentiment.model, batch),
          custom_id: `sentiment-${i}`,
          method: 'POST',
          url: '/v1/chat/completions',
        }),
      )
      .join('\n');
    const file = await this.openai.files.create({
      file: await toFile(Buffer.from(jsonl), 'sentiment-backfill.jsonl'),
      purpose: 'batch',
    });
    let batch = await this.openai.batches.create({
      completion_window: '24h',
      endpoint: '/v1/chat/completions',
      input_file_id: file.id,
    });
    for (
      let i = 0;
      i < maxPolls &&
      !['cancelled', 'completed', 'expired', 'failed'].includes(batch.status);
      i++
    ) {
      await new Promise((r) => setTimeout(r, pollMs));
      batch = await this.openai.batches.retrieve(batch.id);
    }
    if (batch.status !== 'completed' || !batch.output_file_id) {
      return { batchId: batch.id, scored: 0 };
    }
    const output = await (
      await this.openai.files.content(batch.output_file_id)
    ).text();
    const byCustomId = new Map<string, string | null | undefined>();
    for (const line of output.split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as {
        custom_id: string;
        response: {
          body: { choices: Array<{ message: { content: string | null } }> };
        } | null;
      };
      byCustomId.set(
        row.custom_id,
        row.response?.body.choices[0]?.message.content,
      );
    }
    const cache = new RedisSentimentCache(
      this.redis,
      this.config.sentiment.cacheTtlSeconds,
    );
    let scored = 0;
    for (const [i, batchItems] of requests.entries()) {
      const content = byCustomId.get(`sentiment-${i}`);
      if (!content) continue;
      const scores = parseSentimentContent(
        content,
        batchItems.map((b) => b.id),
      );
      const bySymbol = new Map(batchItems.map((b) => [b.id, b]));
      await cache.set(
        scores.map((score) => ({
          key: score.id,
          score,
          symbol: bySymbol.get(score.id)!.symbol,
          text: bySymbol.get(score.id)!.text,
        })),
      );
      scored += scores.length;
    }
    return { batchId: batch.id, scored };
  }

  private async storeSignals(signals: SentimentSignal[]): Promise<void> {
    if (signals.length === 0) return;
    // One SET per symbol: on a Redis Cluster the keys live on different slots.
    await Promise.all(
      signals.map((s) =>
        this.redis.set(
          SIGNAL_KEY_PREFIX + s.symbol,
          JSON.stringify(s),
          'EX',
          this.config.sentiment.cacheTtlSeconds,
        ),
      ),
    );
  }

  private async fetchNews(symbol: string): Promise<NewsStory[]> {
    const to = new Date();
    const from = new Date(to.getTime() - NEWS_LOOKBACK_DAYS * 86_400_000);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const url = `${this.config.gatewayUrl}/v1/news/${encodeURIComponent(symbol)}?from=${day(from)}&to=${day(to)}`;
    const timeoutMs = this.config.sentiment.timeoutMs;
    let res: Response;
    try {
      const { gatewayToken } = this.config;
      res = await fetch(url, {
        headers: gatewayToken
          ? { authorization: `Bearer ${gatewayToken}` }
          : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new NewsUnavailableError({ symbol, timeoutMs }, err);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new NewsUnavailableError({ status: res.status, symbol, timeoutMs });
    }
    const body = (await res.json()) as { items?: NewsStory[] };
    return body.items ?? [];
  }
}
