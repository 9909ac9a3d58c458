import {
  type AlertWebhookPayload,
  parseQuoteStreamEntry,
} from '@freeride/contracts';
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
    for (const symbol of ['AAPL', 'MSFT']) {
      await api(app, trader, 'POST', '/v1/alerts', {
        condition: { threshold: 0.01, type: 'price_above' },
        delivery: { webhookUrl: `${receiver.url}/every/${symbol}` },
        symbol,
        trigger: { cooldownSeconds: 0, mode: 'every_time' },
      });
    }
    // The fake sends a frame with a trade of each symbol: the gateway writes
    // each frame as one entry of two quotes.
    gateway = await startGateway(infra, finnhub, {
      ...otlp,
      OTEL_SDK_DISABLED: 'false',
      STREAM_SYMBOLS: 'AAPL,MSFT',
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
    const tick = parseQuoteStreamEntry(entry[1]).quotes.find(
      (q) => q.quote.symbol === 'AAPL',
    );
    expect(tick?.traceparent).toBeDefined();
    const traceId = tick!.traceparent!.split('-')[1];
    expect(String(above.headers['traceparent'])).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`),
    );
  });

  it('gives each tick its own trace: publish → evaluation → delivery, linked to the subscription, seen by the receiver', async () => {
    await waitFor(() => receiver.delivered('/every/AAPL').length >= 2, {
      description: 'two ticks delivered',
      timeoutMs: 30_000,
    });
    const [first, second] = receiver
      .delivered('/every/AAPL')
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

  it('keeps one trace per tick when one entry carries the ticks of a provider frame', async () => {
    const traceOf = (traceparent: string | undefined) =>
      traceparent?.split('-')[1];
    const delivered = () =>
      new Set(
        ['/every/AAPL', '/every/MSFT'].flatMap((path) =>
          receiver
            .delivered(path)
            .map((r) => traceOf(String(r.headers['traceparent']))),
        ),
      );
    // An entry of two quotes whose ticks both fired and were delivered.
    const found = await waitFor(
      async () => {
        const { rows } = await infra.pg.query<{ stream_id: string }>(
          `SELECT stream_id FROM alert_triggers
            WHERE delivery_status = 'delivered'
            GROUP BY stream_id HAVING count(DISTINCT symbol) = 2
            ORDER BY stream_id LIMIT 1`,
        );
        if (!rows[0]) return undefined;
        const [entry] = await infra.redis.xrange(
          'freeride:quotes',
          rows[0].stream_id,
          rows[0].stream_id,
        );
        const { quotes } = parseQuoteStreamEntry(entry[1]);
        const traces = quotes.map((q) => traceOf(q.traceparent));
        return traces.every((t) => t && delivered().has(t))
          ? { quotes, traces }
          : undefined;
      },
      { description: 'a two-quote entry delivered', timeoutMs: 30_000 },
    );
    expect(found.quotes.map((q) => q.quote.symbol).sort()).toEqual([
      'AAPL',
      'MSFT',
    ]);
    // Two ticks of one entry: two traces, each from its own publish span.
    expect(new Set(found.traces).size).toBe(2);
    for (const traceId of found.traces) {
      await waitFor(
        () =>
          collector
            .trace(traceId!)
            .some((s) => s.name === 'market-gateway quote.publish'),
        { description: `publish span of ${traceId}`, timeoutMs: 20_000 },
      );
      const publish = collector
        .trace(traceId!)
        .filter((s) => s.name === 'market-gateway quote.publish');
      expect(publish).toHaveLength(1);
      expect(publish[0].parentSpanId).toBe('');
    }
  });
});
