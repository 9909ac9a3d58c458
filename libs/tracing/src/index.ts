export { ATTR } from './lib/attribute-names';
export type { AttributeName } from './lib/attribute-names';
export { recordError } from './lib/record-error';
export {
  contextFromTraceparent,
  currentTraceId,
  currentTraceparent,
  traceparentOf,
} from './lib/traceparent';
export { TRACER_NAME, withSpan } from './lib/with-span';
