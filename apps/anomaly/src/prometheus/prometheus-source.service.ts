import type { MetricPointEvent } from '@freeride/contracts';

import type {
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';

import { ANOMALY_CONFIG } from '../config/anomaly.config';
import type { AnomalyConfig, PrometheusQuery } from '../config/anomaly.config';
import { DetectionService } from '../detection/detection.service';

/** The part of Prometheus' instant-query answer that is read. */
const InstantVectorSchema = z.object({
  data: z.object({
    result: z.array(
      z.object({
        metric: z.record(z.string(), z.string()),
        value: z.tuple([z.number(), z.string()]),
      }),
    ),
    resultType: z.literal('vector'),
  }),
  status: z.literal('success'),
});

/**
 * Maps one instant-query answer to metric points: the series' `service`
 * (or `job`) label names the service, the other labels become attributes.
 *
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#instant-queries
 */
export function toMetricPoints(
  query: PrometheusQuery,
  body: unknown,
): MetricPointEvent[] {
  const parsed = InstantVectorSchema.parse(body);
  return parsed.data.result.flatMap(({ metric, value: [seconds, raw] }) => {
    const value = Number(raw);
    if (!Number.isFinite(value)) return [];
    const { __name__: _name, job, service, ...attributes } = metric;
    return [
      {
        '@timestamp': new Date(seconds * 1000).toISOString(),
        attributes,
        kind: 'gauge' as const,
        name: query.name,
        service: service ?? job ?? 'prometheus',
        value,
      },
    ];
  });
}

/** Polls Prometheus for latency, error-rate and provider-health series and feeds the metric detector. */
@Injectable()
export class PrometheusSourceService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(PrometheusSourceService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ANOMALY_CONFIG) private readonly config: AnomalyConfig,
    private readonly detection: DetectionService,
  ) {}

  onApplicationBootstrap(): void {
    const prometheus = this.config.prometheus;
    if (!prometheus) return;
    this.timer = setInterval(() => void this.pollAll(), prometheus.intervalMs);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs every query once and feeds the samples; returns how many were fed. */
  async pollAll(): Promise<number> {
    const prometheus = this.config.prometheus;
    if (!prometheus) return 0;
    let fed = 0;
    for (const query of prometheus.queries) {
      try {
        const url = `${prometheus.url}/api/v1/query?query=${encodeURIComponent(query.query)}`;
        const res = await fetch(url, {
          signal: AbortSignal.timeout(prometheus.timeoutMs),
        });
        if (!res.ok)
          throw new Error(
            `GET ${prometheus.url}/api/v1/query answered ${res.status}`,
          );
        for (const point of toMetricPoints(query, await res.json())) {
          await this.detection.observeMetric(point);
          fed++;
        }
      } catch (err) {
        this.logger.warn({ err, query: query.name }, 'prometheus query failed');
      }
    }
    return fed;
  }
}
