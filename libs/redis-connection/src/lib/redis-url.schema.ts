import { z } from 'zod';

import { redisUrlProblem } from './redis-url';

/**
 * A config schema entry for a Redis URL (`redis://…` or
 * `redis-cluster://host:port,host:port`), failing with the reason.
 */
export function redisUrlSchema(defaultUrl: string) {
  return z
    .string()
    .default(defaultUrl)
    .superRefine((url, ctx) => {
      const problem = redisUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
