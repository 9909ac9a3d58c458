/**
 * What one sending source (one bearer token) may write. Patterns are exact
 * names or `*` wildcards (`checkout*`, `*.access`); an absent list allows
 * any value. Dataset and namespace are compared after sanitising, as they
 * are stored.
 */
export interface SourcePolicyConfig {
  datasets?: string[];
  namespaces?: string[];
  services?: string[];
}

/**
 * The platform's own datasets (its self-logs are `logs-freeride.ingest-*`):
 * no token may write them, whatever its policy says.
 */
export const RESERVED_DATASET_PATTERNS: readonly string[] = [
  'freeride',
  'freeride.*',
];

/** Characters a pattern may hold: those of sanitised names, service names and `*`. */
export const POLICY_PATTERN = /^[A-Za-z0-9_.:/@*-]{1,200}$/;

/** A predicate for `*` wildcard patterns (no other metacharacter). */
export function wildcardMatcher(
  patterns: readonly string[],
): (value: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns
    .filter((p) => p.includes('*'))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .split('*')
            .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
            .join('.*')}$`,
        ),
    );
  return (value) => exact.has(value) || globs.some((g) => g.test(value));
}

/**
 * Decides whether a source may write a data stream with a given service
 * name. Refusals name the value and what is allowed, never a token.
 */
export class SourcePolicy {
  private readonly reserved = wildcardMatcher(RESERVED_DATASET_PATTERNS);
  private readonly datasets?: (v: string) => boolean;
  private readonly namespaces?: (v: string) => boolean;
  private readonly services?: (v: string) => boolean;

  constructor(
    readonly source: string,
    private readonly config: SourcePolicyConfig = {},
  ) {
    if (config.datasets) this.datasets = wildcardMatcher(config.datasets);
    if (config.namespaces) this.namespaces = wildcardMatcher(config.namespaces);
    if (config.services) this.services = wildcardMatcher(config.services);
  }

  /** Why the write is refused, or `undefined` when it is allowed. */
  refusal(
    ds: { dataset: string; namespace: string },
    serviceName: string,
  ): string | undefined {
    if (this.reserved(ds.dataset))
      return `dataset "${ds.dataset}" is reserved for the platform`;
    if (this.datasets && !this.datasets(ds.dataset))
      return `source "${this.source}" may not write dataset "${ds.dataset}" (allowed: ${this.config.datasets!.join(', ')})`;
    if (this.namespaces && !this.namespaces(ds.namespace))
      return `source "${this.source}" may not write namespace "${ds.namespace}" (allowed: ${this.config.namespaces!.join(', ')})`;
    if (this.services && !this.services(serviceName))
      return `source "${this.source}" may not send for service "${serviceName.slice(0, 100)}" (allowed: ${this.config.services!.join(', ')})`;
    return undefined;
  }
}
