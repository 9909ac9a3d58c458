import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Client } from 'pg';
import { z } from 'zod';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { EvaluationRepository } from './evaluation.repository';
import { RuleBookService } from './rule-book.service';
import { ownsSymbol } from './symbol-partitions';

/** The channel the `alert_rules_notify` trigger announces rule changes on. */
export const RULES_CHANNEL = 'freeride_rules';

const ChangeSchema = z.object({ active: z.boolean(), id: z.uuid() });

/**
 * Keeps this instance's rule book in step with rules created, deleted or
 * deactivated through any instance: PostgreSQL announces every change
 * (`LISTEN freeride_rules`, sent by a trigger in the same transaction), and
 * a lost connection is followed by a full resync.
 * @see https://www.postgresql.org/docs/current/sql-notify.html
 */
@Injectable()
export class RuleSyncService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private client?: Client;
  private readonly logger = new Logger(RuleSyncService.name);
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly repository: EvaluationRepository,
    private readonly ruleBook: RuleBookService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.evaluation.enabled) return;
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel === RULES_CHANNEL)
        void this.apply(msg.payload).catch((err: unknown) =>
          this.logger.warn({ err }, 'rule change not applied'),
        );
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'rule change listener lost; reconnecting');
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${RULES_CHANNEL}`);
  }

  private reconnect(old: Client): void {
    if (this.stopped || this.client !== old || this.retry) return;
    this.client = undefined;
    void old.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen()
        .then(() => this.resync())
        .catch((err: unknown) => {
          this.logger.warn({ err }, 'rule change listener not restored');
          if (this.client) this.reconnect(this.client);
        });
    }, 1000);
  }

  /** Applies one announced change: arms an active rule of an owned symbol, disarms an inactive one. */
  private async apply(payload: string | undefined): Promise<void> {
    let change: z.infer<typeof ChangeSchema>;
    try {
      change = ChangeSchema.parse(JSON.parse(payload ?? ''));
    } catch {
      this.logger.warn('malformed rule change notification ignored');
      return;
    }
    if (!change.active) {
      this.ruleBook.remove(change.id);
      return;
    }
    if (this.ruleBook.has(change.id)) return;
    const [rule] = await this.repository.loadActive([change.id]);
    if (!rule || !ownsSymbol(rule.symbol, this.config.evaluation.partitions))
      return;
    const { rearmAt, ...tradingRule } = rule;
    await this.ruleBook.add(tradingRule, rearmAt);
  }

  /** After a lost connection: changes may have been missed, so compare with PostgreSQL. */
  private async resync(): Promise<void> {
    const active = (await this.repository.loadActive()).filter((r) =>
      ownsSymbol(r.symbol, this.config.evaluation.partitions),
    );
    const ids = new Set(active.map((r) => r.id));
    for (const id of this.ruleBook.ids())
      if (!ids.has(id)) this.ruleBook.remove(id);
    for (const { rearmAt, ...rule } of active)
      if (!this.ruleBook.has(rule.id)) await this.ruleBook.add(rule, rearmAt);
  }
}
