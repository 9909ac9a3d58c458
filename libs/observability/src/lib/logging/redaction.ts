/** Query parameters whose values are credentials at one provider or another. */
const SECRET_QUERY_PARAMS =
  /([?&](?:apikey|api_key|apiKey|token|access_token|key)=)[^&#]*/gi;

/**
 * Replaces credential query parameters of a URL with `[REDACTED]`
 * (Alpha Vantage `apikey`, Finnhub `token`, Polygon `apiKey`).
 */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1[REDACTED]');
}

/**
 * pino `redact` paths: authorization headers and any token-like field one
 * or two levels deep, whatever the logged object.
 * @see https://getpino.io/#/docs/redaction
 */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-finnhub-token"]',
  'headers.authorization',
  '*.apiKey',
  '*.apikey',
  '*.api_key',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  'apiKey',
  'apikey',
  'token',
  'password',
  'secret',
];
