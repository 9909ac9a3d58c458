// Moved to @freeride/testing (the scale e2e uses it too).
export { renderAlertmanagerConfig } from './testing';
export type { RenderAlertmanagerConfigOptions } from './testing';
