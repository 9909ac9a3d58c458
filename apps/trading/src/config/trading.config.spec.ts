import { loadConfig } from './trading.config';

const BASE = {
  TRADING_ADMIN_TOKEN: 'admin-token-0123456789',
  TRADING_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/trading',
};

describe('loadConfig', () => {
  it('fills in the defaults of a minimal environment', () => {
    const config = loadConfig(BASE);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3002 });
    expect(config.evaluation.stream).toBe('freeride:quotes');
    expect(config.delivery.attempts).toBe(6);
  });

  it('shares several symbol partitions by leases unless some are fixed', () => {
    const leased = loadConfig({ ...BASE, TRADING_EVAL_PARTITION_COUNT: '4' });
    expect(leased.evaluation).toMatchObject({
      assignment: 'leases',
      leaseMs: 10_000,
      partitions: { count: 4, own: [] },
    });
    const fixed = loadConfig({
      ...BASE,
      TRADING_EVAL_PARTITION_COUNT: '4',
      TRADING_EVAL_PARTITIONS: '1,3',
    });
    expect(fixed.evaluation).toMatchObject({
      assignment: 'static',
      partitions: { count: 4, own: [1, 3] },
    });
    expect(loadConfig(BASE).evaluation).toMatchObject({
      assignment: 'static',
      partitions: { count: 1, own: [0] },
    });
  });

  it('names every bad key at once, one per line', () => {
    let message = '';
    try {
      loadConfig({ TRADING_DELIVERY_ATTEMPTS: '0', TRADING_PORT: 'x' });
    } catch (err) {
      message = (err as Error).message;
    }
    const keys = message
      .split('\n')
      .slice(1)
      .map((line) => line.split(':')[0])
      .sort();
    expect(keys).toEqual([
      'TRADING_ADMIN_TOKEN',
      'TRADING_DATABASE_URL',
      'TRADING_DELIVERY_ATTEMPTS',
      'TRADING_PORT',
    ]);
  });

  it('requires an OpenAI key when sentiment polling is on', () => {
    expect(() =>
      loadConfig({ ...BASE, TRADING_SENTIMENT_INTERVAL_MS: '60000' }),
    ).toThrow(/OPENAI_API_KEY: required when/);
  });
});
