import { Writable } from 'node:stream';
import pino from 'pino';

import { buildPinoHttpOptions } from './logger-options';

/** A logger with the platform's options, writing parsed lines into `lines`. */
function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const { level, redact, formatters, messageKey, timestamp } =
    buildPinoHttpOptions({ serviceName: 'test' });
  const logger = pino(
    { formatters, level, messageKey, redact, timestamp },
    stream,
  );
  return { lines, logger };
}

describe('buildPinoHttpOptions', () => {
  it('writes an error as ECS fields with credentials of quoted URLs redacted', () => {
    const { lines, logger } = capture();
    logger.warn(
      {
        err: new Error(
          'GET https://www.alphavantage.co/query?function=GLOBAL_QUOTE&apikey=av-s3cret failed',
        ),
      },
      'provider failover',
    );
    const [line] = lines;
    const error = line['error'] as Record<string, string>;
    expect(line['message']).toBe('provider failover');
    expect(error['type']).toBe('Error');
    expect(error['message']).toBe(
      'GET https://www.alphavantage.co/query?function=GLOBAL_QUOTE&apikey=[REDACTED] failed',
    );
    expect(JSON.stringify(line)).not.toContain('av-s3cret');
  });

  it('keeps an error message without credentials as it is', () => {
    const { lines, logger } = capture();
    logger.error(
      { err: new Error('connect ECONNREFUSED 127.0.0.1:6379') },
      'x',
    );
    expect((lines[0]['error'] as Record<string, string>)['message']).toBe(
      'connect ECONNREFUSED 127.0.0.1:6379',
    );
  });
});
