/**
 * The apps the docs describe: where each one's module and config live and the
 * few settings it needs to load its config without a real server behind it.
 * Everything else (routes, config keys, metrics) is read from the code.
 */
export interface AppDescriptor {
  /** Nx project name and folder under apps/. */
  name: string;
  /** Title of its OpenAPI document. */
  title: string;
  /** One-line description of its OpenAPI document. */
  description: string;
  /**
   * Environment the config loader needs (required keys only). Placeholders,
   * never secrets: the module is created in preview mode and connects nowhere.
   */
  env: Record<string, string>;
}

export const APPS: readonly AppDescriptor[] = [
  {
    description:
      'Anomaly detection on the live log, trace and metric streams; anomaly documents and Alertmanager alerts',
    env: {},
    name: 'anomaly',
    title: 'Freeride anomaly service',
  },
  {
    description:
      'OTLP/HTTP receiver: logs, traces and metrics acknowledged once durable in a Redis stream',
    env: { INGEST_TOKENS: 'docs=docs-placeholder-token' },
    name: 'ingest',
    title: 'Freeride ingest',
  },
  {
    description:
      'Quotes, bars and news with provider failover, cache and provider health',
    env: {
      ALPHAVANTAGE_API_KEYS: 'docs-placeholder',
      FINNHUB_API_KEYS: 'docs-placeholder',
      MASSIVE_API_KEYS: 'docs-placeholder',
    },
    name: 'market-gateway',
    title: 'Freeride market-data gateway',
  },
  {
    description: 'Alert rules, deliveries and operator routes',
    env: {
      TRADING_ADMIN_TOKEN: 'docs-placeholder-admin-token',
      TRADING_DATABASE_URL: 'postgres://docs@127.0.0.1:1/docs',
    },
    name: 'trading',
    title: 'Freeride trading alerts',
  },
];
