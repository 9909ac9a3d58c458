export * from './lib/stream-envelope';
