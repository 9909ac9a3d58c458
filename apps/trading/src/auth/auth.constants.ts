/** Length in bytes of a generated API key (before base64url). */
export const API_KEY_BYTES = 24;
/** Prefix of trader API keys, so leaked keys are recognisable. */
export const API_KEY_PREFIX = 'frk_';
