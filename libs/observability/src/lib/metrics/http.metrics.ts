import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { type Observable, tap } from 'rxjs';

import { statusOf } from '../errors/error-status';
import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
} from '../observability.constants';
import type { ResolvedObservabilityOptions } from '../observability.options';

/** Records `http_server_request_duration_seconds{method,route,status_code}`. */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS) options: ResolvedObservabilityOptions,
  ) {
    this.duration = new Histogram({
      buckets: [...options.durationBuckets],
      help: 'Duration of HTTP requests served, by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      name: 'http_server_request_duration_seconds',
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    // The route pattern, never the raw path: labels stay low-cardinality.
    const route =
      (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    const end = this.duration.startTimer({ method: req.method, route });
    return next.handle().pipe(
      tap({
        complete: () =>
          end({ status_code: String(http.getResponse<Response>().statusCode) }),
        error: (err: unknown) => end({ status_code: String(statusOf(err)) }),
      }),
    );
  }
}
