import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AdminTokenGuard } from '../auth/admin-token.guard';
import {
  CreateTraderDto,
  type CreatedTraderResponse,
} from './dto/create-trader.dto';
import { TradersService } from './traders.service';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('v1/admin/traders')
export class TradersController {
  constructor(private readonly traders: TradersService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a trader; the API key and webhook secret are shown once',
  })
  create(@Body() body: CreateTraderDto): Promise<CreatedTraderResponse> {
    return this.traders.create(body.name);
  }
}
