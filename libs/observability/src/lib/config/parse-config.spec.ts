import { z } from 'zod';

import { ConfigValidationError, parseConfig } from './parse-config';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  REDIS_URL: z.url(),
  TOKEN: z.string().min(8),
});

describe('parseConfig', () => {
  it('returns typed values with defaults filled in', () => {
    const config = parseConfig(schema, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      TOKEN: 'abcdefgh',
    });
    expect(config).toEqual({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      TOKEN: 'abcdefgh',
    });
  });

  it('reports every bad key on its own line', () => {
    let error: unknown;
    try {
      parseConfig(schema, { PORT: 'x', TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const lines = (error as ConfigValidationError).message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(':')[0])
        .sort(),
    ).toEqual(['PORT', 'REDIS_URL', 'TOKEN']);
  });

  it('does not echo the rejected value of a secret', () => {
    expect(() => parseConfig(schema, { TOKEN: 'sekrit' })).toThrow(
      expect.not.objectContaining({
        message: expect.stringContaining('sekrit'),
      }),
    );
  });
});
