import { ConfigValidationError } from '../config/parse-config';
import { describeStartupFailure } from './startup-failure';

describe('describeStartupFailure', () => {
  it('prints only the KEY: reason lines of a bad config', () => {
    const line = describeStartupFailure(
      'ingest',
      new ConfigValidationError(['INGEST_PORT: expected number']),
    );
    expect(line).toBe('Invalid configuration:\nINGEST_PORT: expected number');
  });

  it('names the app and keeps the stack of any other error', () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const line = describeStartupFailure('trading', err);
    expect(line.startsWith('trading failed to start: Error: connect')).toBe(
      true,
    );
    expect(line).toContain('startup-failure.spec.ts');
  });

  it('prints a thrown non-error as a string', () => {
    expect(describeStartupFailure('anomaly', 'boom')).toBe(
      'anomaly failed to start: boom',
    );
  });

  it('redacts credentials of a URL the error quotes', () => {
    const line = describeStartupFailure(
      'trading',
      new Error(
        'connect to postgres://trader:pg-s3cret@127.0.0.1:5432/t?password=pw-s3cret failed',
      ),
    );
    expect(line).not.toContain('s3cret');
    expect(line).toContain('postgres://[REDACTED]@127.0.0.1:5432');
  });
});
