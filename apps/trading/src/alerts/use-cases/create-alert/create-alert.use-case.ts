import { checkUrl } from '@freeride/net-guard';

import { Inject, Injectable } from '@nestjs/common';

import {
  TRADING_CONFIG,
  type TradingConfig,
} from '../../../config/trading.config';
import { RuleBookService } from '../../../evaluation/rule-book.service';
import { InvalidAlertRuleError } from '../../alerts.errors';
import { AlertsRepository } from '../../alerts.repository';
import type { AlertResponse } from '../../dto/alert.response';
import type { CreateAlertCommand } from './create-alert.command';

/**
 * Checks the webhook URL against the SSRF guard (every address its host
 * resolves to) and that an email rule has a relay, stores the rule, then
 * arms it in the evaluator.
 */
@Injectable()
export class CreateAlertUseCase {
  constructor(
    @Inject(TRADING_CONFIG) private readonly config: TradingConfig,
    private readonly repository: AlertsRepository,
    private readonly ruleBook: RuleBookService,
  ) {}

  async execute(command: CreateAlertCommand): Promise<AlertResponse> {
    const { channel, webhookUrl } = command.rule.delivery;
    if (channel === 'email' && !this.config.smtp) {
      throw new InvalidAlertRuleError([
        'delivery.channel: email is not configured on this server',
      ]);
    }
    if (webhookUrl !== undefined) {
      await checkUrl(webhookUrl, this.config.webhookPolicy, {
        field: 'delivery.webhookUrl',
      });
    }
    const alert = await this.repository.insert(command.traderId, command.rule);
    await this.ruleBook.add({
      condition: alert.condition,
      delivery: alert.delivery,
      expiresAt: alert.expiresAt ? Date.parse(alert.expiresAt) : undefined,
      id: alert.id,
      name: alert.name,
      symbol: alert.symbol,
      traderId: command.traderId,
      trigger: alert.trigger,
    });
    return alert;
  }
}
