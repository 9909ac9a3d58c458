import { evictLru, touchLru } from '../bounded-lru';
import type { LogAnomaly, LogLevel } from './log-anomaly.types';
import { severityOf } from './log-level';
import type { SeverityClass } from './log-level';

/** Options of {@link NewTemplateDetector}. */
export interface NewTemplateDetectorOptions {
  /**
   * Most template ids remembered; the least recently seen are forgotten.
   * @default 20000
   */
  readonly maxTemplates?: number;
  /**
   * Score of a new template, by severity of the record that revealed it.
   * @default { debug: 0.2, error: 1, info: 0.4, warn: 0.7 }
   */
  readonly severityScores?: Readonly<Record<SeverityClass, number>>;
  /**
   * During this long after the first record, new templates are expected
   * (the detector is learning the vocabulary) and their score is scaled by
   * the elapsed share of the warm-up. Error-level templates first seen after
   * `errorGraceMs` are not scaled: a never-seen error needs no baseline.
   * @default 3_600_000
   */
  readonly warmupMs?: number;
  /**
   * Error templates first seen within this long of the first record are the
   * source's usual errors (damped during warm-up like any template); a new
   * error template after it scores fully even during warm-up.
   * @default 60_000
   */
  readonly errorGraceMs?: number;
}

const DEFAULTS: Required<NewTemplateDetectorOptions> = {
  errorGraceMs: 60_000,
  maxTemplates: 20_000,
  severityScores: { debug: 0.2, error: 1, info: 0.4, warn: 0.7 },
  warmupMs: 3_600_000,
};

/**
 * Flags a template seen for the first time, scored by its level (a new
 * error pattern scores highest). During warm-up it is damped, except for
 * an error template that appears after the source's first minute.
 *
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber (levels)
 */
export class NewTemplateDetector {
  private firstTs = Number.NaN;
  private readonly options: Required<NewTemplateDetectorOptions>;
  private readonly seen = new Map<string, true>();

  /** @param options - see {@link NewTemplateDetectorOptions} */
  constructor(options: NewTemplateDetectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Records one log record; returns a finding when its template is new.
   *
   * @param record - the record's template id, level and time (epoch ms)
   */
  observe(record: {
    readonly level?: LogLevel;
    readonly template?: string;
    readonly templateId: string;
    readonly timestampMs: number;
  }): LogAnomaly | undefined {
    if (Number.isNaN(this.firstTs)) {
      this.firstTs = record.timestampMs;
    }
    if (this.seen.has(record.templateId)) {
      touchLru(this.seen, record.templateId, true);
      return undefined;
    }
    this.seen.set(record.templateId, true);
    evictLru(this.seen, this.options.maxTemplates);
    const severity = severityOf(record.level);
    const elapsed = record.timestampMs - this.firstTs;
    const warm =
      this.options.warmupMs <= 0 ||
      (severity === 'error' && elapsed >= this.options.errorGraceMs)
        ? 1
        : Math.min(1, Math.max(0, elapsed / this.options.warmupMs));
    const score = this.options.severityScores[severity] * warm;
    return {
      expected: { high: 0, low: 0 },
      key: record.templateId,
      kind: 'new-template',
      observed: 1,
      reason:
        warm < 1
          ? `new ${severity} template during warm-up: ${record.template ?? record.templateId}`
          : `new ${severity} template: ${record.template ?? record.templateId}`,
      score,
      timestampMs: record.timestampMs,
    };
  }
}
