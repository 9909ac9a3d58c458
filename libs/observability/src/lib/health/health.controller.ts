import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';

import { HealthRegistry } from './health-registry.service';

const CHECK_TIMEOUT_MS = 2_000;

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  /** Liveness: the process answers; no dependency is consulted. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: every registered dependency check, each bounded in time. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check(
      this.registry.entries().map(([name, check]) => async () => {
        const indicator = this.indicators.check(name);
        try {
          const result = await Promise.race([
            check(),
            new Promise<never>((_, reject) =>
              setTimeout(
                () =>
                  reject(
                    new Error(
                      `health check ${name} timed out after ${CHECK_TIMEOUT_MS} ms`,
                    ),
                  ),
                CHECK_TIMEOUT_MS,
              ).unref(),
            ),
          ]);
          return result.status === 'up'
            ? indicator.up(result.details)
            : indicator.down(result.details);
        } catch (err) {
          return indicator.down({ reason: (err as Error).message });
        }
      }),
    );
  }
}
