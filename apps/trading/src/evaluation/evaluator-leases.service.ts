import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';
import { PartitionLeases } from '@freeride/stream-consumer';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { EvaluationService } from './evaluation.service';

/** Redis key of symbol partition `p`'s evaluator lease (its own hash tag). */
export const EVALUATOR_LEASE_KEY = (partition: number) =>
  `freeride:trading:eval-lease:{${partition}}`;

/** Redis key of the live evaluators' heartbeats. */
export const EVALUATOR_MEMBERS_KEY = 'freeride:trading:evaluators';

/**
 * With `TRADING_EVAL_PARTITION_COUNT` > 1 and no fixed partitions, the
 * evaluators share the symbol partitions by leases in Redis: each holds
 * about its share, a new instance gets some handed over, and a killed
 * instance's partitions are taken over once its leases expire
 * (`TRADING_EVAL_LEASE_MS`). The evaluator is reassigned after each change,
 * and stops evaluating a partition before its lease is given up.
 */
@Injectable()
export class EvaluatorLeasesService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private leases?: PartitionLeases;
  private readonly logger = new Logger(EvaluatorLeasesService.name);
  private redis?: RedisClient;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly evaluation: EvaluationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { assignment, enabled, leaseMs, owner, partitions } =
      this.config.evaluation;
    if (!enabled || assignment !== 'leases') return;
    const redis = createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: 1,
    });
    redis.on('error', (err: Error) =>
      this.logger.warn({ err: { message: err.message } }, 'redis error'),
    );
    this.redis = redis;
    const leases: PartitionLeases = new PartitionLeases(redis, {
      leaseKey: EVALUATOR_LEASE_KEY,
      leaseMs,
      membersKey: EVALUATOR_MEMBERS_KEY,
      onAcquire: () => undefined, // applied once per round, in onChange
      onChange: (held) => this.evaluation.reassign(held),
      onRelease: (): Promise<void> =>
        this.evaluation.reassign(leases.partitions),
      owner,
      partitions: partitions.count,
    });
    this.leases = leases;
    await leases.start((err) =>
      this.logger.warn({ err }, 'evaluator leases not renewed; retrying'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leases?.stop();
    this.redis?.disconnect();
  }
}
