import type { ProviderHealthSnapshot } from '@freeride/market-data';

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { ProviderHealthResponse } from './provider-health.responses';
import { ProviderHealthService } from './provider-health.service';

@ApiTags('health')
@Controller('health/providers')
export class ProviderHealthController {
  constructor(private readonly health: ProviderHealthService) {}

  @ApiOkResponse({ type: [ProviderHealthResponse] })
  @ApiOperation({
    summary:
      'Per-provider health score, success rate, latency, staleness, breaker, limiter headroom',
  })
  @Get()
  getProviders(): ProviderHealthSnapshot[] {
    return this.health.snapshots();
  }
}
