import { createHash, randomBytes } from 'node:crypto';

import { API_KEY_BYTES, API_KEY_PREFIX } from './auth.constants';

/** A new random API key (shown once to the trader). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(API_KEY_BYTES).toString('base64url');
}

/** What is stored for an API key: its SHA-256 in hex (keys are high-entropy, no salt needed). */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}
