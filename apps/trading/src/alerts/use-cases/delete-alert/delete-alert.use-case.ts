import { Injectable } from '@nestjs/common';

import { RuleBookService } from '../../../evaluation/rule-book.service';
import { AlertNotFoundError } from '../../alerts.errors';
import { AlertsRepository } from '../../alerts.repository';
import type { TraderAlertCommand } from '../trader-alert.command';

/** Disarms and soft-deletes a rule of the calling trader. */
@Injectable()
export class DeleteAlertUseCase {
  constructor(
    private readonly repository: AlertsRepository,
    private readonly ruleBook: RuleBookService,
  ) {}

  async execute(command: TraderAlertCommand): Promise<void> {
    const deleted = await this.repository.delete(
      command.traderId,
      command.alertId,
    );
    if (!deleted) throw new AlertNotFoundError(command.alertId);
    this.ruleBook.remove(command.alertId);
  }
}
