import { RuleEngine, indicatorIntervals } from '@freeride/trading-rules';

import { Injectable, Logger } from '@nestjs/common';

import { parsedDelivery } from '../deliveries/parsed-delivery';
import { GatewayBarsClient } from './gateway-bars.client';
import type { TradingRule } from './trading-rule';

/** How long a failed bars fetch is not retried for the same symbol and interval. */
const SEED_RETRY_MS = 60_000;

/**
 * Owns the process's one {@link RuleEngine}. The API arms and disarms rules
 * here after writing PostgreSQL; the evaluator feeds it ticks. Node runs both
 * on one thread, so no locking is needed.
 */
@Injectable()
export class RuleBookService {
  readonly engine = new RuleEngine<TradingRule>();
  private readonly logger = new Logger(RuleBookService.name);
  /** `symbol interval` pairs whose fetch failed, and when: not retried for a minute. */
  private readonly failed = new Map<string, number>();
  /** Ids of the rules armed here (a fired one-shot rule may stay listed). */
  private readonly armed = new Set<string>();
  /** `symbol interval` pairs already seeded: later rules share those bars. */
  private readonly seeded = new Set<string>();

  constructor(private readonly gatewayBars: GatewayBarsClient) {}

  /**
   * Arms a rule. An indicator rule's bars are first seeded from the gateway's
   * bars (bars the engine already built from ticks are kept); without them
   * (gateway down) the rule arms anyway and its indicators warm up on ticks.
   */
  async add(rule: TradingRule, rearmAt?: number): Promise<void> {
    const seeds = await Promise.all(
      indicatorIntervals(rule.condition).map(async (interval) => {
        const key = `${rule.symbol} ${interval}`;
        if (this.seeded.has(key)) return undefined;
        if (Date.now() - (this.failed.get(key) ?? -Infinity) < SEED_RETRY_MS) {
          return undefined;
        }
        try {
          return {
            bars: await this.gatewayBars.bars(rule.symbol, interval),
            interval,
          };
        } catch (err) {
          if (this.failed.size > 100_000) this.failed.clear();
          this.failed.set(key, Date.now());
          this.logger.warn(
            { err, interval, symbol: rule.symbol },
            'indicator bars not seeded; warming up on ticks',
          );
          return undefined;
        }
      }),
    );
    this.engine.addRule(rule, { rearmAt });
    this.armed.add(rule.id);
    try {
      // Parsed now rather than at its first firing (a bar close fires
      // hundreds of rules at once); a delivery the schema refuses fails
      // its delivery attempts as before.
      parsedDelivery(rule.delivery);
    } catch {
      // Refused again, and reported, by the delivery attempt.
    }
    const now = Date.now();
    for (const seed of seeds) {
      if (!seed) continue;
      this.engine.seedBars(rule.symbol, seed.interval, seed.bars, now);
      this.seeded.add(`${rule.symbol} ${seed.interval}`);
    }
  }

  remove(id: string): void {
    this.engine.removeRule(id);
    this.armed.delete(id);
  }

  /** Whether the rule was armed here (and not removed since). */
  has(id: string): boolean {
    return this.armed.has(id);
  }

  /** Ids of the rules armed here. */
  ids(): string[] {
    return [...this.armed];
  }
}
