import { redactUrl } from './redact';

describe('redactUrl', () => {
  it.each([
    [
      'https://finnhub.io/api/v1/quote?symbol=AAPL&token=fh-secret',
      'https://finnhub.io/api/v1/quote?symbol=AAPL&token=[REDACTED]',
    ],
    [
      'https://www.alphavantage.co/query?apikey=av-secret&function=X',
      'https://www.alphavantage.co/query?apikey=[REDACTED]&function=X',
    ],
    ['apiKey=pg-secret&ticker=MSFT', 'apiKey=[REDACTED]&ticker=MSFT'],
    [
      '/v1/x?api_key=a&client_secret=b#frag',
      '/v1/x?api_key=[REDACTED]&client_secret=[REDACTED]#frag',
    ],
    [
      'connect to postgres://freeride:db-pass@127.0.0.1:5432/x failed',
      'connect to postgres://[REDACTED]@127.0.0.1:5432/x failed',
    ],
    ['https://example.com/a?symbol=AAPL', 'https://example.com/a?symbol=AAPL'],
    ['monkey=1&keyboard=2', 'monkey=1&keyboard=2'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});
