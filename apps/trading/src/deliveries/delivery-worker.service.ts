import { backoffDelayMs } from '@freeride/backoff';
import { ForbiddenDestinationError } from '@freeride/net-guard';
import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';
import { ATTR, contextFromTraceparent, withSpan } from '@freeride/tracing';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { ChannelSenderService } from './channel-sender.service';
import {
  BULLMQ_PREFIX,
  DELIVERY_QUEUE,
  FLUSH_INTERVAL_MS,
} from './deliveries.constants';
import { WebhookDeliveryError } from './deliveries.errors';
import {
  DeliveriesRepository,
  type DeliveryTarget,
} from './deliveries.repository';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryMetrics } from './delivery.metrics';

/**
 * Consumes the delivery queue: one signed POST per attempt, exponential
 * backoff with jitter between attempts, and after the last attempt the job
 * stays in BullMQ's failed set (the dead-letter list) with status `dead`.
 */
@Injectable()
export class DeliveryWorkerService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(DeliveryWorkerService.name);
  private connection?: RedisClient;
  private readonly delivered: Array<{
    attempts: number;
    statusCode: number;
    triggerId: string;
  }> = [];
  private flushTimer?: NodeJS.Timeout;
  private worker?: Worker<DeliveryJobData>;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly metrics: DeliveryMetrics,
    private readonly repository: DeliveriesRepository,
    private readonly sender: ChannelSenderService,
  ) {}

  onApplicationBootstrap(): void {
    const { backoffBaseMs, backoffMaxMs, concurrency, lockMs } =
      this.config.delivery;
    this.connection = createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    this.worker = new Worker<DeliveryJobData>(
      DELIVERY_QUEUE,
      (job) => this.deliver(job),
      {
        concurrency,
        connection: this.connection,
        prefix: BULLMQ_PREFIX,
        lockDuration: lockMs,
        settings: {
          // attemptsMade is 1-based: the first retry follows attempt 1.
          backoffStrategy: (attemptsMade: number) =>
            backoffDelayMs(attemptsMade - 1, {
              baseMs: backoffBaseMs,
              jitter: 'equal',
              maxMs: backoffMaxMs,
            }),
        },
        stalledInterval: lockMs,
      },
    );
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final =
        err instanceof UnrecoverableError ||
        job.attemptsMade >= (job.opts.attempts ?? 1);
      this.metrics.attempts.inc({ outcome: final ? 'dead' : 'retry' });
      if (!final) return;
      this.logger.warn(
        { attempts: job.attemptsMade, err, triggerId: job.data.triggerId },
        'webhook delivery moved to the dead-letter list',
      );
      this.repository
        .markAttempt(job.data.triggerId, {
          attempts: job.attemptsMade,
          error: err.message,
          status: 'dead',
        })
        .catch((e: unknown) =>
          this.logger.error(
            { err: e, triggerId: job.data.triggerId },
            'dead-letter status not stored',
          ),
        );
    });
    this.worker.on('error', (err) =>
      this.logger.error({ err }, 'delivery worker error'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushDelivered();
    this.connection?.disconnect();
  }

  /** The payload and secret: from the job when the evaluator built it, else from PostgreSQL. */
  private async resolveTarget(
    data: DeliveryJobData,
  ): Promise<DeliveryTarget | undefined> {
    if (data.target) {
      const secret = await this.repository.secret(data.target.traderId);
      return secret === undefined
        ? undefined
        : {
            delivery: data.target.delivery,
            payload: data.target.payload,
            secret,
          };
    }
    return this.repository.target(data.triggerId);
  }

  /**
   * "delivered" statuses are written in groups (one statement per
   * FLUSH_INTERVAL_MS) so the delivery path does not wait on PostgreSQL.
   */
  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushDelivered();
    }, FLUSH_INTERVAL_MS);
  }

  private async flushDelivered(): Promise<void> {
    const rows = this.delivered.splice(0);
    try {
      await this.repository.markDelivered(rows);
    } catch (err) {
      this.logger.error(
        { err, rows: rows.length },
        'delivered statuses not stored; retrying',
      );
      this.delivered.unshift(...rows);
      this.scheduleFlush();
    }
  }

  private async deliver(job: Job<DeliveryJobData>): Promise<void> {
    const { tickReceivedAt, traceparent, triggerId } = job.data;
    await withSpan(
      'webhook deliver',
      {
        [ATTR.OUTCOME]: 'pending',
        'freeride.delivery.attempt': job.attemptsMade + 1,
      },
      async (span) => {
        const target = await this.resolveTarget(job.data);
        if (!target) {
          span.setAttribute(ATTR.OUTCOME, 'gone');
          return;
        }
        const timeoutMs = this.config.delivery.timeoutMs;
        const destination = ChannelSenderService.destination(target);
        span.setAttribute(
          'freeride.delivery.channel',
          destination.split(':')[0],
        );
        const attempts = job.attemptsMade + 1;
        let status: number;
        try {
          status = await this.sender.send(target);
        } catch (err) {
          if (err instanceof ForbiddenDestinationError) {
            // Not retried: the address will not become allowed by waiting.
            span.setAttribute(ATTR.OUTCOME, 'forbidden');
            throw new UnrecoverableError(err.message);
          }
          await this.repository.markAttempt(triggerId, {
            attempts,
            error: (err as Error).message,
            status: 'retrying',
          });
          throw new WebhookDeliveryError(
            { target: destination, timeoutMs },
            err,
          );
        }
        if (status < 200 || status >= 300) {
          await this.repository.markAttempt(triggerId, {
            attempts,
            error: `HTTP ${status}`,
            status: 'retrying',
            statusCode: status,
          });
          throw new WebhookDeliveryError({
            statusCode: status,
            target: destination,
            timeoutMs,
          });
        }
        this.delivered.push({ attempts, statusCode: status, triggerId });
        this.scheduleFlush();
        span.setAttribute(ATTR.OUTCOME, 'delivered');
        this.metrics.attempts.inc({ outcome: 'delivered' });
        if (tickReceivedAt !== undefined) {
          this.metrics.tickToDelivery.observe(
            (Date.now() - tickReceivedAt) / 1000,
          );
        }
      },
      contextFromTraceparent(traceparent),
    );
  }
}
