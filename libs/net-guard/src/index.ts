export {
  type ForbiddenClass,
  bareAddress,
  embeddedIPv4,
  forbiddenClass,
} from './lib/address';
export {
  type CheckedUrl,
  ForbiddenDestinationError,
  type ResolveAll,
  checkUrl,
  isLoopbackName,
  parseGuardedUrl,
  resolveAll,
} from './lib/check-url';
export {
  type GuardedRequestInit,
  type GuardedResponse,
  guardedLookup,
  guardedRequest,
} from './lib/guarded-request';
export {
  type AllowRule,
  type NetPolicy,
  STRICT_POLICY,
  destinationProblem,
  parseAllowlist,
} from './lib/policy';
export { REDACTED, redactUrl } from './lib/redact';
