import fixture from './fixtures/ok/backtest-bars-1min.json';
import { createAlphaVantageFake } from './support/fakes';
import { type GatewayProcess, startGateway } from './support/gateway';
import {
  type Infra,
  type TestTrader,
  type TradingApp,
  api,
  createTrader,
  startInfra,
  startTradingApp,
} from './support/trading-harness';

interface Backtest {
  bars: Array<{ close: number; start: string }>;
  fires: Array<{ at: string; price: number; value: number }>;
}

const barAt = (i: number) => new Date(fixture.bars[i].start).toISOString();

describe('POST /v1/alerts/backtest over the real gateway’s bars', () => {
  let infra: Infra;
  let app: TradingApp;
  let gateway: GatewayProcess;
  let trader: TestTrader;
  const alphaVantage = createAlphaVantageFake({
    intradayBars: { [fixture.symbol]: fixture.bars },
    keys: ['av-key'],
  });

  beforeAll(async () => {
    infra = await startInfra();
    await alphaVantage.start();
    gateway = await startGateway(
      infra,
      { url: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' },
      {
        ALPHAVANTAGE_API_KEYS: 'av-key',
        ALPHAVANTAGE_BASE_URL: alphaVantage.url,
        BARS_PROVIDERS: 'alphavantage',
      },
    );
    app = await startTradingApp(infra, { TRADING_GATEWAY_URL: gateway.url });
    trader = await createTrader(app, 'backtest');
  });

  afterAll(async () => {
    await app?.stop();
    await gateway?.stop();
    await alphaVantage.stop();
    await infra?.stop();
  });

  const backtest = (body: Record<string, unknown>) =>
    api<Backtest>(app, trader, 'POST', '/v1/alerts/backtest', {
      interval: '1min',
      symbol: fixture.symbol,
      ...body,
    });

  it('answers every bar where a crossing would have fired, with the price series', async () => {
    const res = await backtest({
      condition: { threshold: 100, type: 'crossing' },
    });
    expect(res.status).toBe(200);
    expect(res.body.bars.map((b) => b.close)).toEqual(
      fixture.bars.map((b) => b.close),
    );
    expect(res.body.fires).toEqual([
      { at: barAt(2), price: 101, value: 101 },
      { at: barAt(4), price: 99, value: 99 },
      { at: barAt(6), price: 100.5, value: 100.5 },
    ]);
  });

  it('fires a once rule only at its first crossing', async () => {
    const res = await backtest({
      condition: { threshold: 100, type: 'crossing_up' },
      trigger: { mode: 'once' },
    });
    expect(res.body.fires.map((f) => f.at)).toEqual([barAt(2)]);
  });

  it('replays an SMA crossover on bars built from the replayed closes', async () => {
    const sma = { interval: '1min', ma: 'sma', period: 3, type: 'price_vs_ma' };
    const up = await backtest({ condition: { ...sma, op: 'crossing_up' } });
    const down = await backtest({ condition: { ...sma, op: 'crossing_down' } });
    expect(up.body.fires.map((f) => f.at)).toEqual([barAt(6)]);
    expect(down.body.fires.map((f) => f.at)).toEqual([barAt(4), barAt(9)]);
  });

  it('replays only the bars of the requested period', async () => {
    const res = await backtest({
      condition: { threshold: 100, type: 'crossing_up' },
      from: barAt(3),
      to: barAt(9),
    });
    expect(res.body.bars).toHaveLength(7);
    expect(res.body.fires.map((f) => f.at)).toEqual([barAt(6)]);
  });

  it('answers 400 naming the field of a bad period', async () => {
    const res = await api<{ message: string }>(
      app,
      trader,
      'POST',
      '/v1/alerts/backtest',
      {
        condition: { threshold: 100, type: 'crossing_up' },
        from: barAt(5),
        symbol: fixture.symbol,
        to: barAt(1),
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('from');
  });
});
