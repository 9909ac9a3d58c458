import { Injectable } from '@nestjs/common';

import { RuleBookService } from '../../../evaluation/rule-book.service';
import { AlertsRepository } from '../../alerts.repository';
import type { AlertResponse } from '../../dto/alert.response';
import type { CreateAlertCommand } from './create-alert.command';

/** Stores a rule, then arms it in the evaluator. */
@Injectable()
export class CreateAlertUseCase {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly ruleBook: RuleBookService,
  ) {}

  async execute(command: CreateAlertCommand): Promise<AlertResponse> {
    const alert = await this.repository.insert(command.traderId, command.rule);
    this.ruleBook.add({
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
