/** Injection token of the app's `openai` client. */
export const OPENAI_CLIENT = Symbol('OPENAI_CLIENT');
/** Redis key of a scored story: `<prefix><story key>`. */
export const STORY_KEY_PREFIX = 'freeride:trading:sentiment:story:';
/** Redis key of a symbol's last signal: `<prefix><symbol>`. */
export const SIGNAL_KEY_PREFIX = 'freeride:trading:sentiment:signal:';
/** Days of company news one refresh reads. */
export const NEWS_LOOKBACK_DAYS = 3;
/** Longest wait the scorer honours from a 429's retry-after before giving up. */
export const MAX_RETRY_AFTER_MS = 10_000;
