import { Module } from '@nestjs/common';

import { EvaluationModule } from '../evaluation/evaluation.module';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { BacktestAlertUseCase } from './use-cases/backtest-alert/backtest-alert.use-case';
import { CreateAlertUseCase } from './use-cases/create-alert/create-alert.use-case';
import { DeleteAlertUseCase } from './use-cases/delete-alert/delete-alert.use-case';
import { GetAlertUseCase } from './use-cases/get-alert/get-alert.use-case';
import { ListAlertsUseCase } from './use-cases/list-alerts/list-alerts.use-case';
import { ListDeliveriesUseCase } from './use-cases/list-deliveries/list-deliveries.use-case';

/** The trading rules API (`/v1/alerts`). */
@Module({
  controllers: [AlertsController],
  imports: [EvaluationModule],
  providers: [
    AlertsRepository,
    BacktestAlertUseCase,
    CreateAlertUseCase,
    DeleteAlertUseCase,
    GetAlertUseCase,
    ListAlertsUseCase,
    ListDeliveriesUseCase,
  ],
})
export class AlertsModule {}
