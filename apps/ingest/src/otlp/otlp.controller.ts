import type { OtlpSignal } from '@freeride/otlp';
import {
  Controller,
  HttpCode,
  Param,
  ParseEnumPipe,
  Post,
  Req,
  StreamableFile,
  UseFilters,
  UseGuards,
} from '@nestjs/common';

import { type AuthenticatedRequest, OtlpAuthGuard } from './otlp-auth.guard';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpService } from './otlp.service';

enum Signal {
  logs = 'logs',
  metrics = 'metrics',
  traces = 'traces',
}

/** OTLP/HTTP receiver: `POST /v1/logs`, `/v1/traces`, `/v1/metrics`. */
@Controller('v1')
@UseFilters(OtlpExceptionFilter)
@UseGuards(OtlpAuthGuard)
export class OtlpController {
  constructor(private readonly otlp: OtlpService) {}

  @Post(':signal')
  @HttpCode(200)
  async export(
    @Param('signal', new ParseEnumPipe(Signal)) signal: OtlpSignal,
    @Req() req: AuthenticatedRequest,
  ): Promise<StreamableFile> {
    const result = await this.otlp.accept(signal, req.freerideSource ?? 'unknown', req);
    return new StreamableFile(Buffer.from(result.body), { type: result.contentType });
  }
}
