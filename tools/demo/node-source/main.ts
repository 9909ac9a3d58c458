/**
 * A small Node service that logs and traces through @freeride/observability
 * exactly like the platform's apps: the demo's Node source, and the fixture
 * of the three-sources e2e test. GET /quote/:symbol logs inside the request
 * span and answers with the trace id.
 *
 *   OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer%20<token>" PORT=3099 \
 *     node -r @swc-node/register tools/demo/node-source/main.ts
 */
// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { ObservabilityModule, bootstrapApp } from '@freeride/observability';
import { currentTraceId } from '@freeride/tracing';

import { Controller, Get, Logger, Module, Param } from '@nestjs/common';

@Controller('quote')
class QuoteController {
  private readonly logger = new Logger(QuoteController.name);

  @Get(':symbol')
  quote(@Param('symbol') symbol: string): {
    price: number;
    symbol: string;
    traceId?: string;
  } {
    const price = 100 + (symbol.charCodeAt(0) % 10);
    this.logger.log({ price, symbol }, 'demo quote served');
    return { price, symbol, traceId: currentTraceId() };
  }
}

@Module({
  controllers: [QuoteController],
  imports: [
    ObservabilityModule.forRoot({
      serviceName: 'node-demo',
    }),
  ],
})
class DemoModule {}

bootstrapApp(DemoModule, { port: Number(process.env['PORT'] ?? 3099) }).catch(
  (err: unknown) => {
    process.stderr.write(`node-demo failed to start: ${String(err)}\n`);
    process.exit(1);
  },
);
