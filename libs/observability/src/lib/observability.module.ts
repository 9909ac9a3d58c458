import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { RejectNulCharactersPipe } from './errors/reject-nul.pipe';
import { HealthRegistry } from './health/health-registry.service';
import { HealthController } from './health/health.controller';
import { buildPinoHttpOptions } from './logging/logger-options';
import { HttpMetricsInterceptor } from './metrics/http.metrics';
import { MetricsController } from './metrics/metrics.controller';
import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
} from './observability.constants';
import {
  type ObservabilityOptions,
  type ResolvedObservabilityOptions,
  resolveObservabilityOptions,
} from './observability.options';
import { shutdownTelemetry } from './telemetry/telemetry';

/** Flushes telemetry when Nest shuts down (SIGTERM through shutdown hooks). */
class TelemetryShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }
}

/** Creates the app's one metrics registry, default metrics under its prefix. */
function createRegistry(options: ResolvedObservabilityOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.serviceName });
  collectDefaultMetrics({ prefix: options.metricsPrefix, register: registry });
  return registry;
}

/**
 * Logger, metrics, health, error filter and telemetry shutdown for one app.
 * Global, so feature modules inject `METRICS_REGISTRY` and `HealthRegistry`
 * without importing it.
 */
@Global()
@Module({})
export class ObservabilityModule {
  constructor(
    @Inject(OBSERVABILITY_OPTIONS)
    readonly options: ResolvedObservabilityOptions,
  ) {}

  static forRoot(options: ObservabilityOptions): DynamicModule {
    const resolved = resolveObservabilityOptions(options);
    const providers: Provider[] = [
      { provide: OBSERVABILITY_OPTIONS, useValue: resolved },
      { provide: METRICS_REGISTRY, useFactory: () => createRegistry(resolved) },
      { provide: APP_FILTER, useClass: AllExceptionsFilter },
      { provide: APP_PIPE, useClass: RejectNulCharactersPipe },
      { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
      HealthRegistry,
      TelemetryShutdown,
    ];
    return {
      controllers: [HealthController, MetricsController],
      exports: [HealthRegistry, METRICS_REGISTRY, OBSERVABILITY_OPTIONS],
      imports: [
        LoggerModule.forRoot({
          pinoHttp: buildPinoHttpOptions({
            level: resolved.logLevel,
            serviceName: resolved.serviceName,
            serviceVersion: resolved.serviceVersion,
            stream: resolved.logStream,
          }),
        }),
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 1_000 }),
      ],
      module: ObservabilityModule,
      providers,
    };
  }
}
