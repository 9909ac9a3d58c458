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
  type OnApplicationShutdown,
} from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { ChannelSenderService } from './channel-sender.service';
import {
  COMPLETED_JOB_RETENTION_SECONDS,
  DELIVERED_MARKER_PREFIX,
  FLUSH_INTERVAL_MS,
} from './deliveries.constants';
import { WebhookDeliveryError } from './deliveries.errors';
import {
  DeliveriesRepository,
  type DeliveryTarget,
} from './deliveries.repository';
import type { DeliveryJobData } from './delivery-job';
import { DeliveryMetrics } from './delivery.metrics';

/** A delivery that reached its receiver (the `delivered` marker's value is `attempts,statusCode`). */
export interface DeliveredRow {
  attempts: number;
  statusCode: number;
  triggerId: string;
}

/**
 * One delivery attempt on the rule's channel, wherever it runs (the first
 * attempt right after the evaluator's commit, or a BullMQ retry): the
 * `webhook deliver` span in the tick's trace, the send, and the delivery
 * log. A failure is recorded (`retrying`) and thrown: `UnrecoverableError`
 * for a forbidden destination, `WebhookDeliveryError` otherwise. A success
 * sets the trigger's `delivered` marker in Redis at once (in the same event
 * loop turn; what a restart
 * reconciles from, as from a completed job) and its `delivered` status in
 * PostgreSQL within FLUSH_INTERVAL_MS (one statement for many).
 */
@Injectable()
export class DeliveryAttemptService implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryAttemptService.name);
  private connection?: RedisClient;
  private readonly delivered: DeliveredRow[] = [];
  /** `delivered` markers not yet written to Redis. */
  private readonly markers: DeliveredRow[] = [];
  private flushTimer?: NodeJS.Timeout;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly metrics: DeliveryMetrics,
    private readonly repository: DeliveriesRepository,
    private readonly sender: ChannelSenderService,
  ) {}

  private get redis(): RedisClient {
    this.connection ??= createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    return this.connection;
  }

  /** Attempt number `attempt` (1-based) of one delivery. */
  async run(data: DeliveryJobData, attempt: number): Promise<void> {
    const { tickReceivedAt, traceparent, triggerId } = data;
    await withSpan(
      'webhook deliver',
      {
        [ATTR.OUTCOME]: 'pending',
        'freeride.delivery.attempt': attempt,
      },
      async (span) => {
        const target = await this.resolveTarget(data);
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
            attempts: attempt,
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
            attempts: attempt,
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
        this.recordDelivered({
          attempts: attempt,
          statusCode: status,
          triggerId,
        });
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

  /** The `delivered` markers of `triggerIds` (absent: not known delivered). */
  async deliveredMarkers(
    triggerIds: readonly string[],
  ): Promise<DeliveredRow[]> {
    if (triggerIds.length === 0) return [];
    const values = await this.redis.mget(
      ...triggerIds.map((id) => DELIVERED_MARKER_PREFIX + id),
    );
    const rows: DeliveredRow[] = [];
    values.forEach((value, i) => {
      if (value === null) return;
      const [attempts, statusCode] = value.split(',').map(Number);
      rows.push({ attempts, statusCode, triggerId: triggerIds[i] });
    });
    return rows;
  }

  /** Writes the buffered `delivered` statuses now. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
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

  async onApplicationShutdown(): Promise<void> {
    await this.writeMarkers();
    await this.flush();
    this.connection?.disconnect();
  }

  private recordDelivered(row: DeliveredRow): void {
    // Markers of the deliveries answered in one turn of the event loop go in one write.
    if (this.markers.length === 0) setImmediate(() => void this.writeMarkers());
    this.markers.push(row);
    this.delivered.push(row);
    this.scheduleFlush();
  }

  private async writeMarkers(): Promise<void> {
    const rows = this.markers.splice(0);
    if (rows.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const row of rows) {
      pipeline.set(
        DELIVERED_MARKER_PREFIX + row.triggerId,
        `${row.attempts},${row.statusCode}`,
        'EX',
        COMPLETED_JOB_RETENTION_SECONDS,
      );
    }
    await pipeline
      .exec()
      .catch((err: unknown) =>
        this.logger.warn(
          { err, markers: rows.length },
          'delivered markers not stored',
        ),
      );
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
      void this.flush();
    }, FLUSH_INTERVAL_MS);
  }
}
