/** The time window of a report: `--since 14d` ends now. */
export interface ReportWindow {
  end: Date;
  start: Date;
  /** Step of the time series, seconds: about 96 points over the window, at least 15 s. */
  stepSeconds: number;
}

const UNIT_SECONDS: Record<string, number> = {
  d: 86_400,
  h: 3_600,
  m: 60,
  s: 1,
  w: 604_800,
};

/** Parses `14d`, `90m`, `2w`...; throws naming the accepted forms. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) {
    throw new Error(
      `--since ${JSON.stringify(text)}: expected a positive duration like 14d, 12h, 30m or 2w`,
    );
  }
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}

export function windowOf(since: string, now = new Date()): ReportWindow {
  const seconds = parseDuration(since);
  const raw = Math.max(15, Math.ceil(seconds / 96));
  // Round the step to a whole minute (or 15 s below one) so the buckets read well.
  const stepSeconds =
    raw < 60 ? 15 * Math.ceil(raw / 15) : 60 * Math.ceil(raw / 60);
  return {
    end: now,
    start: new Date(now.getTime() - seconds * 1000),
    stepSeconds,
  };
}

/** A Prometheus range selector for the window, e.g. `[1209600s]`. */
export function rangeOf(w: ReportWindow): string {
  return `${Math.round((w.end.getTime() - w.start.getTime()) / 1000)}s`;
}

/**
 * Latency under the legacy hourly cron for an alert that fired at `at`: the
 * plugin looked at prices once an hour, on the hour, so the alert waited for
 * the next full hour.
 */
export function cronLatencySeconds(at: Date): number {
  const intoHour = (at.getTime() / 1000) % 3600;
  return intoHour === 0 ? 0 : 3600 - intoHour;
}
