import type { AlertWebhookPayload } from '@freeride/contracts';
import { verifyWebhookSignature } from '@freeride/trading-rules';

import { createFinnhubFake } from './support/fakes';
import { type GatewayProcess, startGateway } from './support/gateway';
import { OtlpCollector } from './support/otlp-collector';
import { waitFor } from './support/testing';
import {
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  startInfra,
  startTradingApp,
} from './support/trading-harness';
import { WebhookReceiver } from './support/webhook-receiver';

describe('quotes from the real market gateway to a signed webhook', () => {
  let infra: Infra;
  let app: TradingApp;
  let gateway: GatewayProcess;
  let trader: TestTrader;
  const finnhub = createFinnhubFake({ keys: ['fh-key'], tickIntervalMs: 50 });
  const receiver = new WebhookReceiver();
  const collector = new OtlpCollector();

  beforeAll(async () => {
    infra = await startInfra();
    await Promise.all([finnhub.start(), receiver.start(), collector.start()]);
    const otlp = {
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    };
    app = await startTradingApp(infra, otlp);
    trader = await createTrader(app, 'gateway');
    for (const [condition, path] of [
      [{ threshold: 0.01, type: 'price_above' }, '/above'],
      [{ threshold: 1_000_000, type: 'price_below' }, '/below'],
    ] as const) {
      await api(app, trader, 'POST', '/v1/alerts', {
        condition,
        delivery: { webhookUrl: `${receiver.url}${path}` },
        symbol: 'AAPL',
        trigger: { mode: 'once' },
      });
    }
    await api(app, trader, 'POST', '/v1/alerts', {
      condition: { threshold: 0.01, type: 'price_above' },
      delivery: { webhookUrl: `${receiver.url}/every` },
      symbol: 'AAPL',
      trigger: { cooldownSeconds: 0, mode: 'every_time' },
    });
    gateway = await startGateway(infra, finnhub, {
      ...otlp,
      OTEL_SDK_DISABLED: 'false',
      STREAM_SYMBOLS: 'AAPL',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await app?.stop();
    await finnhub.stop();
    await receiver.stop();
    await collector.stop();
    await infra?.stop();
  });

  it('fires each once rule exactly once on the gateway’s stream, signed, in the tick’s trace', async () => {
    await waitFor(
      () =>
        receiver.delivered('/above').length === 1 &&
        receiver.delivered('/below').length === 1,
      { description: 'both rules delivered', timeoutMs: 30_000 },
    );
    // More ticks keep arriving; once rules must not fire again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.delivered('/above')).toHaveLength(1);
    expect(receiver.delivered('/below')).toHaveLength(1);

    const [above] = receiver.delivered('/above');
    const payload = JSON.parse(above.body) as AlertWebhookPayload;
    expect(payload.symbol).toBe('AAPL');
    expect(payload.value).toBeGreaterThan(0.01);
    expect(() =>
      verifyWebhookSignature({
        body: above.body,
        header: above.headers['x-freeride-signature'] as string,
        secret: trader.webhookSecret,
      }),
    ).not.toThrow();

    const { rows } = await infra.pg.query<{ stream_id: string }>(
      'SELECT stream_id FROM alert_triggers WHERE idempotency_key = $1',
      [payload.idempotencyKey],
    );
    const [entry] = await infra.redis.xrange(
      'freeride:quotes',
      rows[0].stream_id,
      rows[0].stream_id,
    );
    const fields = entry[1];
    const tickTraceparent = fields[fields.indexOf('traceparent') + 1];
    expect(fields).toContain('traceparent');
    const traceId = tickTraceparent.split('-')[1];
    expect(String(above.headers['traceparent'])).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`),
    );
  });

  it('gives each tick its own trace: publish → evaluation → delivery, linked to the subscription, seen by the receiver', async () => {
    await waitFor(() => receiver.delivered('/every').length >= 2, {
      description: 'two ticks delivered',
      timeoutMs: 30_000,
    });
    const [first, second] = receiver
      .delivered('/every')
      .slice(0, 2)
      .map((r) => String(r.headers['traceparent']).split('-')[1]);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);

    const names = (traceId: string) =>
      collector.trace(traceId).map((s) => s.name);
    for (const traceId of [first, second]) {
      await waitFor(
        () =>
          [
            'market-gateway quote.publish',
            'rule-engine evaluate',
            'webhook deliver',
          ].every((n) => names(traceId).includes(n)),
        { description: `spans of trace ${traceId}`, timeoutMs: 20_000 },
      );
      const spans = collector.trace(traceId);
      const publish = spans.find(
        (s) => s.name === 'market-gateway quote.publish',
      )!;
      const evaluate = spans.find((s) => s.name === 'rule-engine evaluate')!;
      const deliver = spans.find((s) => s.name === 'webhook deliver')!;
      // The publish span is the trace's root; the subscription is a link, never a parent.
      expect(publish.parentSpanId).toBe('');
      expect(publish.service).toBe('market-gateway');
      expect(evaluate.parentSpanId).toBe(publish.spanId);
      expect(deliver.parentSpanId).toBe(evaluate.spanId);
      const subscribe = collector.spans.find(
        (s) => s.name === 'market-gateway quote-stream.subscribe',
      );
      expect(subscribe).toBeDefined();
      expect(subscribe!.traceId).not.toBe(traceId);
      expect(publish.links).toEqual([
        expect.objectContaining({
          spanId: subscribe!.spanId,
          traceId: subscribe!.traceId,
        }),
      ]);
    }
  });
});
