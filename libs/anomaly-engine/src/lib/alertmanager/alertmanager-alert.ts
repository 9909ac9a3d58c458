/**
 * An alert as Alertmanager's API v2 accepts it (`postableAlert`).
 *
 * @see https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
 */
export interface AlertmanagerAlert {
  /** Free-form context: summary, links, samples. Not part of the identity. */
  readonly annotations: Readonly<Record<string, string>>;
  /** RFC 3339; in the past resolves the alert, in the future keeps it firing until then. */
  readonly endsAt?: string;
  /** Link back to the thing that generated the alert. */
  readonly generatorURL?: string;
  /** Identity of the alert: Alertmanager deduplicates and groups on these. */
  readonly labels: Readonly<Record<string, string>>;
  /** RFC 3339. */
  readonly startsAt?: string;
}
