// The OTLP receiver of the e2e tests lives in @freeride/testing (shared with deploy/).
export { OtlpCollector } from './testing';
export type { CollectedSpan } from './testing';
