import { Injectable } from '@nestjs/common';

import { AlertsRepository } from '../../alerts.repository';
import type { AlertResponse, ListResponse } from '../../dto/alert.response';

/** The calling trader's rules, newest first. */
@Injectable()
export class ListAlertsUseCase {
  constructor(private readonly repository: AlertsRepository) {}

  async execute(traderId: string): Promise<ListResponse<AlertResponse>> {
    return { items: await this.repository.list(traderId) };
  }
}
