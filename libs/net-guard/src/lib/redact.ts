/** What replaces a secret wherever a URL or text is recorded. */
export const REDACTED = '[REDACTED]';

/**
 * Query (and form) parameter names whose values are credentials at one
 * provider or another: Finnhub `token`, Alpha Vantage `apikey`, Polygon
 * `apiKey`, OAuth tokens, signatures, passwords.
 */
const SECRET_PARAM_NAMES = [
  'access_key',
  'access_token',
  'api-key',
  'api_key',
  'apikey',
  'auth',
  'client_secret',
  'id_token',
  'key',
  'passwd',
  'password',
  'refresh_token',
  'secret',
  'sig',
  'signature',
  'token',
  'x-api-key',
];

/** `name=value` at the start of a query string or after `?`, `&` or `;`. */
const SECRET_PARAM = new RegExp(
  `((?:^|[?&;])(?:${SECRET_PARAM_NAMES.join('|')})=)[^&#\\s"']*`,
  'gi',
);

/** `scheme://user:password@` in any URL (database URLs, basic auth). */
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]+:[^\s/?#@]*@/gi;

/**
 * Replaces credential query parameters and `user:password@` of every URL in
 * `text` (a full URL, a bare query string such as `url.query`, or a message
 * that quotes a URL) with `[REDACTED]`.
 */
export function redactUrl(text: string): string {
  return text
    .replace(SECRET_PARAM, `$1${REDACTED}`)
    .replace(USERINFO, `$1${REDACTED}@`);
}
