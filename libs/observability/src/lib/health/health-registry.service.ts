import { Injectable } from '@nestjs/common';

/** Result of one dependency check. `details` must never hold secrets. */
export interface DependencyStatus {
  details?: Record<string, unknown>;
  status: 'down' | 'up';
}

/** A named readiness check. */
export type DependencyCheck = () => Promise<DependencyStatus>;

/**
 * Collects the readiness checks of an app's features. Features register a
 * check at init (`healthRegistry.register('redis', () => ...)`) instead of
 * the health controller knowing every dependency.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, DependencyCheck>();

  register(name: string, check: DependencyCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, DependencyCheck][] {
    return [...this.checks.entries()];
  }
}
