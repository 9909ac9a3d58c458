import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';

import { AdminTokenGuard } from '../auth/admin-token.guard';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { SentimentSymbolsDto } from './dto/sentiment.dto';
import {
  type RefreshResult,
  SentimentService,
  type SentimentSignal,
} from './sentiment.service';

@ApiTags('sentiment')
@ApiBearerAuth()
@Controller('v1')
export class SentimentController {
  constructor(private readonly sentiment: SentimentService) {}

  @Get('sentiment/:symbol')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({ summary: "A symbol's cached news sentiment signal" })
  async get(@Param('symbol') symbol: string): Promise<SentimentSignal> {
    const signal = await this.sentiment.signal(symbol);
    if (!signal)
      throw new NotFoundException('no sentiment signal for this symbol');
    return signal;
  }

  @Post('admin/sentiment/refresh')
  @HttpCode(200)
  @UseGuards(AdminTokenGuard)
  @ApiOperation({
    summary:
      'Score new or changed news of the symbols now and evaluate sentiment rules',
  })
  refresh(@Body() body: SentimentSymbolsDto): Promise<RefreshResult> {
    return this.sentiment.refresh(body.symbols);
  }

  @Post('admin/sentiment/backfill')
  @HttpCode(200)
  @UseGuards(AdminTokenGuard)
  @ApiOperation({
    summary: 'Score the symbols’ news through the OpenAI Batch API',
  })
  backfill(
    @Body() body: SentimentSymbolsDto,
  ): Promise<{ batchId: string; scored: number }> {
    return this.sentiment.backfill(body.symbols);
  }
}
