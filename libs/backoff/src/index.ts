export { backoffDelayMs } from './lib/backoff';
export type { BackoffJitter, BackoffOptions } from './lib/backoff';
