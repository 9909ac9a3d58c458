import type { OtlpSignal } from '@freeride/otlp';

import {
  Controller,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  StreamableFile,
  UseFilters,
  UseGuards,
} from '@nestjs/common';

import { type AuthenticatedRequest, OtlpAuthGuard } from './otlp-auth.guard';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpService } from './otlp.service';

const SIGNALS = new Set<string>(['logs', 'metrics', 'traces']);

/** OTLP/HTTP receiver: `POST /v1/logs`, `/v1/traces`, `/v1/metrics`. */
@Controller('v1')
@UseFilters(OtlpExceptionFilter)
@UseGuards(OtlpAuthGuard)
export class OtlpController {
  constructor(private readonly otlp: OtlpService) {}

  @Post(':signal')
  @HttpCode(200)
  async export(
    @Param('signal') signal: string,
    @Req() req: AuthenticatedRequest,
  ): Promise<StreamableFile> {
    if (!SIGNALS.has(signal)) {
      throw new NotFoundException(
        `unknown OTLP path /v1/${signal}: use /v1/logs, /v1/traces or /v1/metrics`,
      );
    }
    const result = await this.otlp.accept(
      signal as OtlpSignal,
      req.freerideSource ?? 'unknown',
      req,
    );
    return new StreamableFile(Buffer.from(result.body), {
      type: result.contentType,
    });
  }
}
