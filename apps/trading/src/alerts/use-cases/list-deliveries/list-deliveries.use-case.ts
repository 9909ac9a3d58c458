import { Injectable } from '@nestjs/common';

import { AlertNotFoundError } from '../../alerts.errors';
import { AlertsRepository } from '../../alerts.repository';
import type { DeliveryResponse, ListResponse } from '../../dto/alert.response';
import type { TraderAlertCommand } from '../trader-alert.command';

/** Firings of one rule of the calling trader with their delivery status. */
@Injectable()
export class ListDeliveriesUseCase {
  constructor(private readonly repository: AlertsRepository) {}

  async execute(
    command: TraderAlertCommand,
  ): Promise<ListResponse<DeliveryResponse>> {
    const alert = await this.repository.get(command.traderId, command.alertId);
    if (!alert) throw new AlertNotFoundError(command.alertId);
    return { items: await this.repository.deliveries(command.alertId) };
  }
}
