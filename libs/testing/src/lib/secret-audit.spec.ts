import { secretValues } from './secret-audit';

describe('secretValues', () => {
  it('takes credentials, list members and URL passwords, not names or settings', () => {
    expect(
      secretValues({
        ANOMALY_STREAM_KEYS: 'freeride:logs,freeride:spans',
        GATEWAY_CLIENT_KEYS:
          'trading=client-key-one-0123,python=client-key-two-0123',
        INGEST_TOKENS: 'node=node-token-0123456789',
        OPENAI_API_KEY: 'sk-test-0123',
        REDIS_URL: 'redis://127.0.0.1:6379',
        TRADING_ADMIN_TOKEN: 'admin-token-0123456789',
        TRADING_DATABASE_URL: 'postgres://freeride:pg%2Dpass@127.0.0.1:5432/x',
        TRADING_RATE_LIMIT_PER_KEY: '600',
      }).sort(),
    ).toEqual(
      [
        'admin-token-0123456789',
        'client-key-one-0123',
        'client-key-two-0123',
        'node-token-0123456789',
        'pg-pass',
        'sk-test-0123',
      ].sort(),
    );
  });
});
