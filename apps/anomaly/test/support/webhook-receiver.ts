// Moved to @freeride/testing (the scale e2e uses it too).
export { startWebhookReceiver } from './testing';
export type { ReceivedRequest, WebhookReceiver } from './testing';
