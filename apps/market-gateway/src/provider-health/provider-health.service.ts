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

import {
  MARKET_GATEWAY_CONFIG,
  type MarketGatewayConfig,
} from '../config/market-gateway.config';
import { MARKET_DATA_ROUTER } from '../market-data/market-data.constants';
import { providerIndicator } from './provider.health';

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
    @Inject(MARKET_GATEWAY_CONFIG) private readonly config: MarketGatewayConfig,
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
    // One provider down does not make the gateway unready (it fails over):
    // ready while at least one quote provider can be called; the details
    // list every provider with the reason it is down.
    this.registry.register('providers', () => {
      const providers = Object.fromEntries(
        this.router.health().map((h) => [h.provider, providerIndicator(h)]),
      );
      const anyQuoteProviderUp = this.config.routes.quote.some(
        (p) => providers[p]?.status === 'up',
      );
      return Promise.resolve({
        details: providers,
        status: anyQuoteProviderUp ? 'up' : 'down',
      });
    });
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
