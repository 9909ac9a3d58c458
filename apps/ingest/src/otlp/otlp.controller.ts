import type { OtlpSignal } from '@freeride/otlp';

import {
  Controller,
  HttpCode,
  Param,
  Post,
  Req,
  StreamableFile,
  UseFilters,
  UseGuards,
} from '@nestjs/common';

import { OTLP_SIGNALS } from './ingest-streams';
import { type AuthenticatedRequest, OtlpAuthGuard } from './otlp-auth.guard';
import { OtlpExceptionFilter } from './otlp-exception.filter';
import { OtlpRequestError } from './otlp.errors';
import { OtlpService } from './otlp.service';

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
    if (!OTLP_SIGNALS.has(signal)) {
      // The path is not echoed: it is the sender's input.
      throw new OtlpRequestError(
        'not_found',
        404,
        'unknown OTLP path: use /v1/logs, /v1/traces or /v1/metrics',
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
