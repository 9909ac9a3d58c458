import { Injectable } from '@nestjs/common';

import { AlertNotFoundError } from '../../alerts.errors';
import { AlertsRepository } from '../../alerts.repository';
import type { AlertResponse } from '../../dto/alert.response';
import type { TraderAlertCommand } from '../trader-alert.command';

/** One rule of the calling trader; another trader's id is a 404. */
@Injectable()
export class GetAlertUseCase {
  constructor(private readonly repository: AlertsRepository) {}

  async execute(command: TraderAlertCommand): Promise<AlertResponse> {
    const alert = await this.repository.get(command.traderId, command.alertId);
    if (!alert) throw new AlertNotFoundError(command.alertId);
    return alert;
  }
}
