export {
  RateLimitModule,
  type RateLimitOptions,
  bearerFingerprint,
} from './lib/rate-limit.module';
