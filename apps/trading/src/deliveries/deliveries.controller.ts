import {
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { ListResponse } from '../alerts/dto/alert.response';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import type { DeadDelivery } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';

/** Operator view of the dead-letter list. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('v1/admin/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('dead')
  @ApiOperation({ summary: 'Deliveries that exhausted their retries' })
  async dead(): Promise<ListResponse<DeadDelivery>> {
    return { items: await this.deliveries.dead() };
  }

  @Post(':triggerId/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a dead delivery (attempts start again)' })
  async replay(
    @Param('triggerId', new ParseUUIDPipe()) triggerId: string,
  ): Promise<{ status: string }> {
    await this.deliveries.replay(triggerId);
    return { status: 'pending' };
  }
}
