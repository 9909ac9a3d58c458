import {
  InvalidRedisUrlError,
  parseRedisUrl,
  redisUrlProblem,
} from './redis-url';
import { redisUrlSchema } from './redis-url.schema';

describe('parseRedisUrl', () => {
  it('keeps a single-server URL as ioredis reads it', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379/2')).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6379/2',
    });
    expect(parseRedisUrl('rediss://u:p@redis.example:6380').kind).toBe(
      'single',
    );
  });

  it('reads the seed nodes and credentials of a cluster URL', () => {
    expect(
      parseRedisUrl(
        'redis-cluster://app:s%40cret@127.0.0.1:7001, 127.0.0.1:7002,[::1]:7003/',
      ),
    ).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7001 },
        { host: '127.0.0.1', port: 7002 },
        { host: '::1', port: 7003 },
      ],
      password: 's@cret',
      tls: false,
      username: 'app',
    });
    expect(parseRedisUrl('rediss-cluster://:pw@h:1')).toMatchObject({
      password: 'pw',
      tls: true,
    });
  });

  it.each([
    ['http://127.0.0.1:6379', /scheme must be/],
    ['127.0.0.1:6379', /scheme must be/],
    ['redis-cluster://127.0.0.1', /"127.0.0.1" is not host:port/],
    ['redis-cluster://a:1,,b:2', /"" is not host:port/],
    ['redis-cluster://a:70000', /not host:port/],
    ['redis-cluster://a:1/3', /no path or query/],
    ['redis://', /not a URL|no host/],
  ])('refuses %s', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(InvalidRedisUrlError);
    expect(redisUrlProblem(url)).toMatch(reason);
  });

  it('never puts the password in the error', () => {
    expect(redisUrlProblem('redis-cluster://u:topsecret@host')).not.toContain(
      'topsecret',
    );
  });

  it('gives config schemas the reason', () => {
    const schema = redisUrlSchema('redis://127.0.0.1:6379');
    expect(schema.parse(undefined)).toBe('redis://127.0.0.1:6379');
    expect(schema.parse('redis-cluster://a:1,b:2')).toBe(
      'redis-cluster://a:1,b:2',
    );
    const result = schema.safeParse('redis-cluster://a');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/not host:port/);
  });
});
