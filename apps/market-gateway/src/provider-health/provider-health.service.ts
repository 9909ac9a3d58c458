import type {
  MarketDataRouter,
  ProviderHealthSnapshot,
} from '@freeride/market-data';
import { HealthRegistry } from '@freeride/observability';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import type { MarketGatewayConfig } from '../config/market-gateway.config';
import {
  GATEWAY_CONFIG,
  MARKET_DATA_ROUTER,
} from '../market-data/market-data.constants';

/**
 * Provider health: the per-provider scores, a readiness check per provider,
 * and a periodic probe of each probed provider's test symbol (skipping the
 * cache) so a provider that gets no traffic is still scored, and so an open
 * breaker gets its half-open probe.
 */
@Injectable()
export class ProviderHealthService
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger(ProviderHealthService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: MarketGatewayConfig,
    private readonly registry: HealthRegistry,
    @Inject(MARKET_DATA_ROUTER) private readonly router: MarketDataRouter,
  ) {}

  /** Every provider's health snapshot. */
  snapshots(): ProviderHealthSnapshot[] {
    return this.router.health();
  }

  /** Probes each configured provider once; failures are recorded in its health. */
  async probeAll(): Promise<void> {
    await Promise.all(
      this.config.probe.providers.map(async (provider) => {
        try {
          await this.router.probe(
            provider,
            this.config.request.providerTimeoutMs,
          );
        } catch (err) {
          this.logger.warn({ err, provider }, 'provider probe failed');
        }
      }),
    );
  }

  onModuleInit(): void {
    for (const h of this.router.health()) {
      // A provider being down does not make the gateway unready (it fails
      // over); the check reports it so the readiness body shows why.
      this.registry.register(`provider:${h.provider}`, () => {
        const now = this.router.health().find((s) => s.provider === h.provider);
        const up =
          now !== undefined && now.breaker !== 'open' && now.usableKeys > 0;
        return Promise.resolve({
          details: {
            breaker: now?.breaker,
            lastSuccessAt: now?.lastSuccessAt,
            reason: up ? undefined : now?.lastError,
            score: now?.score,
          },
          status: up ? 'up' : 'down',
        });
      });
    }
    if (this.config.probe.intervalMs > 0) {
      this.timer = setInterval(
        () => void this.probeAll(),
        this.config.probe.intervalMs,
      );
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
