import type { AnomalyEvent } from '@freeride/contracts';

import type { FlapTransition } from '../flap/flap-suppressor';
import type { EventOf } from './anomaly-event';
import type { Finding, Findings } from './findings';

/** A firing anomaly in a snapshot: its key, the finding (sets as arrays) and its start. */
export interface FiringSnapshot {
  readonly finding: Omit<Finding, 'templateIds'> & {
    readonly templateIds?: readonly string[];
  };
  readonly key: string;
  readonly sinceMs: number;
}

/**
 * The anomalies firing now, driven by the flap suppressor's transitions: a
 * `fire` keeps a copy of the finding with its start, a `resolve` releases it
 * and reports the latest state of the finding with the window's end.
 */
export class FiringAnomalies {
  private readonly firing = new Map<string, Finding & { sinceMs: number }>();

  constructor(
    private readonly findings: Findings,
    private readonly eventOf: EventOf,
    private readonly counters: {
      anomaliesFired: number;
      anomaliesResolved: number;
    },
  ) {}

  /** The event of one transition, or undefined when its finding is gone. */
  apply(transition: FlapTransition, atMs: number): AnomalyEvent | undefined {
    if (transition.type === 'fire') {
      const finding = this.findings.get(transition.key);
      if (!finding) return undefined;
      this.firing.set(transition.key, {
        ...finding,
        sinceMs: transition.sinceMs,
      });
      this.counters.anomaliesFired++;
      return this.eventOf(
        transition.key,
        finding,
        'firing',
        atMs,
        transition.sinceMs,
      );
    }
    const finding = this.firing.get(transition.key);
    this.firing.delete(transition.key);
    if (!finding) return undefined;
    this.counters.anomaliesResolved++;
    const latest = this.findings.get(transition.key) ?? finding;
    return this.eventOf(
      transition.key,
      latest,
      'resolved',
      atMs,
      finding.sinceMs,
      transition.atMs,
    );
  }

  /** Every anomaly firing now, as its firing event at `atMs` (latest finding state). */
  events(atMs: number): AnomalyEvent[] {
    return [...this.firing].map(([key, finding]) =>
      this.eventOf(
        key,
        this.findings.get(key) ?? finding,
        'firing',
        atMs,
        finding.sinceMs,
      ),
    );
  }

  /**
   * The firing anomalies as plain JSON, each with the latest state of its
   * finding, for {@link FiringAnomalies.restore}.
   */
  snapshot(): FiringSnapshot[] {
    return [...this.firing].map(([key, copy]) => {
      const { templateIds, ...rest } = this.findings.get(key) ?? copy;
      return {
        finding: {
          ...rest,
          ...(templateIds ? { templateIds: [...templateIds] } : {}),
        },
        key,
        sinceMs: copy.sinceMs,
      };
    });
  }

  /**
   * Takes over another instance's firing anomalies and their findings, so
   * that what goes on extends them as it would have there, and their resolve
   * is reported here.
   */
  restore(saved: readonly FiringSnapshot[]): void {
    for (const { finding, key, sinceMs } of saved) {
      const { templateIds, ...rest } = finding;
      const restored: Finding = {
        ...rest,
        samples: [...rest.samples],
        ...(templateIds ? { templateIds: new Set(templateIds) } : {}),
      };
      this.findings.restore(key, restored);
      this.firing.set(key, { ...restored, sinceMs });
    }
  }
}
