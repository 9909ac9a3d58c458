import { ALERTMANAGER_ALERTS_PATH } from '../anomaly-engine.constants';
import type { AlertmanagerAlert } from './alertmanager-alert';
import { AlertmanagerRequestError } from './alertmanager.errors';

/** Options of {@link AlertmanagerClient}. */
export interface AlertmanagerClientOptions {
  /** Base URLs of the Alertmanager HA peers; alerts go to every one of them. */
  readonly baseUrls: readonly string[];
  /** `fetch` to use (tests pass their own). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Timeout of one POST.
   * @default 5000
   */
  readonly timeoutMs?: number;
}

/**
 * Posts alerts to Alertmanager's API v2. Alertmanager expects clients to send
 * to every instance of an HA cluster; it deduplicates through gossip.
 *
 * @see https://prometheus.io/docs/alerting/latest/clients/
 */
export class AlertmanagerClient {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: AlertmanagerClientOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * Posts `alerts` to every Alertmanager. Resolves when at least one accepted
   * them; throws {@link AlertmanagerRequestError} when none did.
   */
  async post(alerts: readonly AlertmanagerAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    const results = await Promise.allSettled(
      this.options.baseUrls.map((baseUrl) => this.postTo(baseUrl, alerts)),
    );
    const failure = results.find(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    if (failure && results.every((result) => result.status === 'rejected')) {
      throw failure.reason;
    }
  }

  private async postTo(
    baseUrl: string,
    alerts: readonly AlertmanagerAlert[],
  ): Promise<void> {
    const url = `${baseUrl.replace(/\/+$/, '')}${ALERTMANAGER_ALERTS_PATH}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        body: JSON.stringify(alerts),
        headers: { 'content-type': 'application/json' },
        method: 'POST',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AlertmanagerRequestError(
        `POST ${url} failed or exceeded ${this.timeoutMs} ms`,
        url,
        undefined,
        err,
      );
    }
    if (!response.ok) {
      const body = (await response.text()).slice(0, 500);
      throw new AlertmanagerRequestError(
        `POST ${url} answered ${response.status}: ${body}`,
        url,
        response.status,
      );
    }
  }
}
