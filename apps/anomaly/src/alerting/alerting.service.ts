import {
  AlertmanagerClient,
  toAlertmanagerAlert,
} from '@freeride/anomaly-engine';
import type { AnomalyEvent } from '@freeride/contracts';
import { HealthRegistry } from '@freeride/observability';

import type { OnModuleInit } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';

import { ANOMALY_CONFIG } from '../config/anomaly.config';
import type { AnomalyConfig } from '../config/anomaly.config';

/** Turns anomalies into Alertmanager alerts and posts them. */
@Injectable()
export class AlertingService implements OnModuleInit {
  private readonly client: AlertmanagerClient;

  constructor(
    @Inject(ANOMALY_CONFIG) private readonly config: AnomalyConfig,
    private readonly health: HealthRegistry,
  ) {
    this.client = new AlertmanagerClient({
      baseUrls: config.alertmanager.urls,
      timeoutMs: config.alertmanager.timeoutMs,
    });
  }

  onModuleInit(): void {
    this.health.register('alertmanager', async () => {
      const results = await Promise.all(
        this.config.alertmanager.urls.map(async (url) => {
          try {
            const res = await fetch(`${url}/-/ready`, {
              signal: AbortSignal.timeout(this.config.alertmanager.timeoutMs),
            });
            return res.ok;
          } catch {
            return false;
          }
        }),
      );
      return results.some(Boolean)
        ? { status: 'up' }
        : {
            details: { reason: 'no Alertmanager answers /-/ready' },
            status: 'down',
          };
    });
  }

  /**
   * Posts firing anomalies (open until now + resolveAfter) and resolved ones
   * (`endsAt` in the past). Alertmanager deduplicates on the labels, so
   * posting a firing anomaly again only keeps it alive.
   */
  async post(events: readonly AnomalyEvent[]): Promise<void> {
    const now = new Date();
    await this.client.post(
      events.map((event) =>
        toAlertmanagerAlert(event, {
          ...(event.kind === 'metric'
            ? {
                chartUrl: `${this.config.http.publicUrl}/anomalies/${encodeURIComponent(event.key)}/chart.png`,
              }
            : {}),
          generatorUrl: `${this.config.http.publicUrl}/anomalies/${encodeURIComponent(event.key)}`,
          now,
          resolveAfterMs: this.config.alertmanager.resolveAfterMs,
        }),
      ),
    );
  }
}
