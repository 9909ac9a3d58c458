/** Credential query parameters and `user:password@` of URLs: see @freeride/net-guard. */
export { redactUrl } from '@freeride/net-guard';

/**
 * pino `redact` paths: authorization headers and any token-like field one
 * or two levels deep, whatever the logged object.
 * @see https://getpino.io/#/docs/redaction
 */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-finnhub-token"]',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.apiKey',
  '*.apikey',
  '*.api_key',
  '*.token',
  '*.password',
  '*.secret',
  '*.webhookSecret',
  '*.authorization',
  'apiKey',
  'apikey',
  'token',
  'password',
  'secret',
  'webhookSecret',
];
