import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * Starts an OTel SDK for the test process that keeps spans in memory, so a
 * test can read the spans the gateway produced (the app itself uses
 * `startTelemetry`). No instrumentations: only the gateway's manual spans.
 */
export function installTestTracing(): {
  exporter: InMemorySpanExporter;
  shutdown: () => Promise<void>;
} {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    autoDetectResources: false,
    instrumentations: [],
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  sdk.start();
  return { exporter, shutdown: () => sdk.shutdown() };
}
