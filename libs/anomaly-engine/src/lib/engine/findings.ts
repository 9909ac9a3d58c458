import type {
  AnomalyBaseline,
  AnomalyKind,
  AnomalySample,
  AnomalySeverity,
} from '@freeride/contracts';

/** Templates named in one new-template anomaly. */
const MAX_TEMPLATES_PER_INCIDENT = 5;

/** What the detectors found for one anomaly key, while it is active. */
export interface Finding {
  activeUntilMs: number;
  /** New-template findings: every template of the incident. */
  readonly templateIds?: Set<string>;
  baseline: AnomalyBaseline;
  readonly kind: AnomalyKind;
  readonly metric?: string;
  samples: AnomalySample[];
  score: number;
  readonly service: string;
  readonly severity: AnomalySeverity;
  template?: string;
  readonly templateId?: string;
}

/** The fields of a detector's finding, as {@link Findings.record} takes them. */
export interface FindingFields {
  readonly baseline: AnomalyBaseline;
  readonly kind: AnomalyKind;
  readonly metric?: string;
  readonly samples?: AnomalySample[];
  readonly severity: AnomalySeverity;
  readonly template?: string;
  readonly templateId?: string;
}

/** Appends a sample while the list is short: the first samples show how the anomaly started. */
export function pushSample(
  list: AnomalySample[],
  sample: AnomalySample,
  limit: number,
): void {
  if (list.length < limit) list.push(sample);
}

/**
 * The active findings of an engine, one per anomaly key: every detector
 * reports into it, and the flap suppressor decides from it what fires.
 */
export class Findings {
  private readonly byKey = new Map<string, Finding>();

  /** The finding of a key, if it is still tracked. */
  get(key: string): Finding | undefined {
    return this.byKey.get(key);
  }

  /** Puts back a finding another instance had (a partition taken over). */
  restore(key: string, finding: Finding): void {
    this.byKey.set(key, finding);
  }

  /** Keys whose findings are still active at `atMs`. */
  activeAt(atMs: number): Set<string> {
    const active = new Set<string>();
    for (const [key, finding] of this.byKey) {
      if (finding.activeUntilMs > atMs) active.add(key);
    }
    return active;
  }

  /** Forgets findings that expired before `atMs` and that `isDone` says are settled. */
  prune(atMs: number, isDone: (key: string) => boolean): void {
    for (const [key, finding] of this.byKey) {
      if (finding.activeUntilMs <= atMs && isDone(key)) {
        this.byKey.delete(key);
      }
    }
  }

  /**
   * Records a detector's finding for a service. Every new pattern of a
   * service while one is active is one incident (one page); any other
   * finding joins the active one of its kind and template or metric.
   */
  record(
    service: string,
    score: number,
    activeUntilMs: number,
    fields: FindingFields,
  ): void {
    const key =
      fields.kind === 'new_template'
        ? `new_template:${service}`
        : `${fields.kind}:${service}:${fields.templateId ?? fields.metric ?? '*'}`;
    const existing = this.byKey.get(key);
    if (existing) {
      existing.activeUntilMs = Math.max(existing.activeUntilMs, activeUntilMs);
      if (
        existing.templateIds &&
        fields.templateId &&
        !existing.templateIds.has(fields.templateId)
      ) {
        existing.templateIds.add(fields.templateId);
        if (
          existing.templateIds.size <= MAX_TEMPLATES_PER_INCIDENT &&
          fields.template
        ) {
          existing.template = `${existing.template ?? ''} | ${fields.template}`;
        }
        existing.baseline = {
          ...fields.baseline,
          observed: existing.templateIds.size,
        };
        return;
      }
      existing.baseline = fields.baseline;
      existing.score = Math.max(existing.score, score);
      return;
    }
    this.byKey.set(key, {
      activeUntilMs,
      baseline: fields.baseline,
      kind: fields.kind,
      samples: [...(fields.samples ?? [])],
      score,
      service,
      severity: fields.severity,
      ...(fields.metric ? { metric: fields.metric } : {}),
      ...(fields.template ? { template: fields.template } : {}),
      ...(fields.templateId ? { templateId: fields.templateId } : {}),
      ...(fields.kind === 'new_template' && fields.templateId
        ? { templateIds: new Set([fields.templateId]) }
        : {}),
    });
  }
}
