import {
  type AlertmanagerPayload,
  type WebhookReceiver,
  waitFor,
} from '@freeride/testing';

/**
 * Log sources for the anomaly service, sent through the ingest like any sender's: every second
 * one usual info line per service (current timestamps, so they move the detectors' event time),
 * and on demand a burst of a never-seen error line in one service: a detectable anomaly (a new
 * error pattern after the service's first minute), which must page exactly once.
 */
export class AnomalyFeed {
  private loop?: Promise<void>;
  private running = false;
  private startedAt = 0;

  constructor(
    private readonly options: {
      /** Services fed; each gets its own Alertmanager group. */
      services: readonly string[];
      /** The ingest's base URL (read before each post). */
      target: () => string;
      token: string;
    },
  ) {}

  start(): void {
    this.running = true;
    this.startedAt = Date.now();
    this.loop = (async () => {
      while (this.running) {
        await this.post(
          this.options.services.map((service) => ({
            error: false,
            message: `heartbeat ok from ${service} worker`,
            service,
          })),
        ).catch(() => false);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Sends three records of a new error line in `service` until the ingest acknowledges them,
   * no earlier than 65 s after the feed started (a new error in a service's first minute is one
   * of its usual errors, damped during warm-up).
   */
  async inject(service: string, message: string): Promise<void> {
    const due = this.startedAt + 65_000 - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    const records = Array.from({ length: 3 }, () => ({
      error: true,
      message,
      service,
    }));
    await waitFor(() => this.post(records).catch(() => false), {
      description: `the ingest to acknowledge the ${service} error burst`,
      intervalMs: 1_000,
      timeoutMs: 120_000,
    });
  }

  /** Posts records (one resource per service); true when the ingest acknowledged them. */
  private async post(
    records: { error: boolean; message: string; service: string }[],
  ): Promise<boolean> {
    const services = [...new Set(records.map((r) => r.service))];
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const body = {
      resourceLogs: services.map((service) => ({
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
          ],
        },
        scopeLogs: [
          {
            logRecords: records
              .filter((r) => r.service === service)
              .map((r) => ({
                body: { stringValue: r.message },
                severityNumber: r.error ? 17 : 9,
                severityText: r.error ? 'ERROR' : 'INFO',
                timeUnixNano: String(nowNs),
              })),
            scope: { name: 'scale-anomaly-feed' },
          },
        ],
      })),
    };
    const res = await fetch(`${this.options.target()}/v1/logs`, {
      body: JSON.stringify(body),
      headers: {
        authorization: `Bearer ${this.options.token}`,
        'content-type': 'application/json',
      },
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status === 200;
  }
}

/** Firing notifications Alertmanager delivered for `service`'s new-template anomaly. */
export function newTemplatePages(
  receiver: WebhookReceiver,
  service: string,
): number {
  return firingPayloads(receiver).filter(
    (p) =>
      p.groupLabels['service'] === service &&
      p.groupLabels['kind'] === 'new_template',
  ).length;
}

/**
 * Every anomaly paged once: one firing notification per Alertmanager group (alertname, kind,
 * service) and one label set per group's alert (a moved partition re-posts the same alert, which
 * Alertmanager deduplicates). Returns what breaks that, empty when nothing does.
 */
export function pagedMoreThanOnce(receiver: WebhookReceiver): string[] {
  const payloads = firingPayloads(receiver);
  const notified = new Map<string, number>();
  const labelSets = new Map<string, Set<string>>();
  for (const p of payloads) {
    const group = `${p.groupLabels['kind']}/${p.groupLabels['service']}`;
    notified.set(group, (notified.get(group) ?? 0) + 1);
    for (const alert of p.alerts) {
      const sets = labelSets.get(group) ?? new Set<string>();
      sets.add(JSON.stringify(alert.labels));
      labelSets.set(group, sets);
    }
  }
  return [
    ...[...notified]
      .filter(([, n]) => n > 1)
      .map(([group, n]) => `${group}: ${n} firing notifications`),
    ...[...labelSets]
      .filter(([, sets]) => sets.size > 1)
      .map(([group, sets]) => `${group}: ${sets.size} label sets`),
  ];
}

function firingPayloads(receiver: WebhookReceiver): AlertmanagerPayload[] {
  return receiver
    .on('/webhook')
    .map((r) => r.body as AlertmanagerPayload)
    .filter((p) => p.status === 'firing');
}
