import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';

import { ApiKeyGuard } from '../auth/api-key.guard';
import type { AuthenticatedTrader } from '../auth/authenticated-trader';
import { CurrentTrader } from '../auth/current-trader.decorator';
import { BACKTEST_BODY, CREATE_ALERT_BODY } from './dto/alert-bodies.schema';
import type {
  AlertResponse,
  BacktestResponse,
  DeliveryResponse,
  ListResponse,
} from './dto/alert.response';
import { BacktestAlertCommand } from './use-cases/backtest-alert/backtest-alert.command';
import { BacktestAlertUseCase } from './use-cases/backtest-alert/backtest-alert.use-case';
import { CreateAlertCommand } from './use-cases/create-alert/create-alert.command';
import { CreateAlertUseCase } from './use-cases/create-alert/create-alert.use-case';
import { DeleteAlertUseCase } from './use-cases/delete-alert/delete-alert.use-case';
import { GetAlertUseCase } from './use-cases/get-alert/get-alert.use-case';
import { ListAlertsUseCase } from './use-cases/list-alerts/list-alerts.use-case';
import { ListDeliveriesUseCase } from './use-cases/list-deliveries/list-deliveries.use-case';
import { TraderAlertCommand } from './use-cases/trader-alert.command';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('alerts')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/alerts')
export class AlertsController {
  constructor(
    private readonly backtestAlert: BacktestAlertUseCase,
    private readonly createAlert: CreateAlertUseCase,
    private readonly deleteAlert: DeleteAlertUseCase,
    private readonly getAlert: GetAlertUseCase,
    private readonly listAlerts: ListAlertsUseCase,
    private readonly listDeliveries: ListDeliveriesUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the caller's alert rules" })
  list(
    @CurrentTrader() trader: AuthenticatedTrader,
  ): Promise<ListResponse<AlertResponse>> {
    return this.listAlerts.execute(trader.id);
  }

  @Post()
  @ApiOperation({ summary: 'Create an alert rule' })
  @ApiBody({ schema: CREATE_ALERT_BODY })
  @ApiResponse({
    description: 'Invalid rule: the message names each bad field',
    status: 400,
  })
  create(
    @CurrentTrader() trader: AuthenticatedTrader,
    // Validated once, by the zod contract in the command (no class-validator DTO).
    @Body() body: unknown,
  ): Promise<AlertResponse> {
    return this.createAlert.execute(CreateAlertCommand.create(trader.id, body));
  }

  @Post('backtest')
  @HttpCode(200)
  @ApiOperation({
    summary: "Replay a rule over the gateway's bars: when would it have fired?",
  })
  @ApiBody({ schema: BACKTEST_BODY })
  backtest(@Body() body: unknown): Promise<BacktestResponse> {
    return this.backtestAlert.execute(BacktestAlertCommand.create(body));
  }

  @Get(':id')
  @ApiResponse({
    description: 'Unknown id or another trader’s rule',
    status: 404,
  })
  get(
    @CurrentTrader() trader: AuthenticatedTrader,
    @Param('id', uuid) id: string,
  ): Promise<AlertResponse> {
    return this.getAlert.execute(TraderAlertCommand.create(trader.id, id));
  }

  @Delete(':id')
  @HttpCode(204)
  remove(
    @CurrentTrader() trader: AuthenticatedTrader,
    @Param('id', uuid) id: string,
  ): Promise<void> {
    return this.deleteAlert.execute(TraderAlertCommand.create(trader.id, id));
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'Firings of a rule and the status of their webhook deliveries',
  })
  deliveries(
    @CurrentTrader() trader: AuthenticatedTrader,
    @Param('id', uuid) id: string,
  ): Promise<ListResponse<DeliveryResponse>> {
    return this.listDeliveries.execute(
      TraderAlertCommand.create(trader.id, id),
    );
  }
}
