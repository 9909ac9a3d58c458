import { ConfigValidationError } from '@freeride/observability';

import { loadConfig } from './market-gateway.config';

const keys = {
  ALPHAVANTAGE_API_KEYS: 'a',
  FINNHUB_API_KEYS: 'f1,f2',
  MASSIVE_API_KEYS: 'p',
};

describe('loadConfig', () => {
  it('applies the defaults: port 3001, free-plan limits, Finnhub first for quotes', () => {
    const config = loadConfig(keys);
    expect(config.http.port).toBe(3001);
    expect(config.routes.quote).toEqual(['finnhub', 'polygon', 'alphavantage']);
    expect(config.providers.finnhub.keys).toEqual(['f1', 'f2']);
    expect(config.providers.alphavantage.planLimits).toEqual([
      { limit: 1, windowMs: 1000 },
      { limit: 25, windowMs: 86_400_000 },
    ]);
  });

  it('parses plan limits given as limit/windowMs pairs', () => {
    const config = loadConfig({
      ...keys,
      FINNHUB_PLAN_LIMITS: '300/60000, 30/1000',
    });
    expect(config.providers.finnhub.planLimits).toEqual([
      { limit: 300, windowMs: 60_000 },
      { limit: 30, windowMs: 1000 },
    ]);
  });

  it('reports a routed provider without keys', () => {
    expect(() => loadConfig({ FINNHUB_API_KEYS: 'f' })).toThrow(
      /MASSIVE_API_KEYS: polygon is routed but has no key/,
    );
  });

  it('reports every bad variable at once, one per line', () => {
    let error: unknown;
    try {
      loadConfig({
        ...keys,
        FINNHUB_BASE_URL: 'not a url',
        FINNHUB_PLAN_LIMITS: 'sixty',
        MARKET_GATEWAY_PORT: '70000',
        QUOTE_PROVIDERS: 'finnhub,iex',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const lines = (error as ConfigValidationError).problems.join('\n');
    expect(lines).toMatch(/^FINNHUB_BASE_URL: /m);
    expect(lines).toMatch(/^FINNHUB_PLAN_LIMITS\.0: /m);
    expect(lines).toMatch(/^MARKET_GATEWAY_PORT: /m);
    expect(lines).toMatch(/^QUOTE_PROVIDERS\.1: /m);
  });

  it('rejects a provider timeout longer than the request deadline', () => {
    expect(() =>
      loadConfig({
        ...keys,
        PROVIDER_TIMEOUT_MS: '5000',
        REQUEST_DEADLINE_MS: '1000',
      }),
    ).toThrow(/PROVIDER_TIMEOUT_MS: must not exceed/);
  });

  it('rejects a key file that does not exist', () => {
    expect(() =>
      loadConfig({ ...keys, FINNHUB_API_KEYS_FILE: '/nonexistent/keys' }),
    ).toThrow(/FINNHUB_API_KEYS_FILE: file does not exist/);
  });
});
