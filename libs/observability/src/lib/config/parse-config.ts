import type { z } from 'zod';

/**
 * Thrown when the environment does not satisfy an app's config schema.
 * Its message lists every bad key, one per line, as `KEY: reason`.
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates a flat environment against a zod schema and returns the parsed
 * value. Every problem is reported at once (never only the first), so an
 * operator fixes a deployment in one go.
 *
 * @param schema zod object schema whose keys are environment variable names
 * @param env the environment, usually `process.env`
 * @throws ConfigValidationError naming every bad or missing key
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${key}: ${issue.message}`;
  });
  throw new ConfigValidationError(problems);
}
