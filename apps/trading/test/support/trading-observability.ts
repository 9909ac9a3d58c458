import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
export const TRADING_RULES = 'observability/prometheus/rules/trading.rules.yml';
export const TRADING_DASHBOARD = 'grafana/dashboards/trading.json';
const DASHBOARD = TRADING_DASHBOARD;
const RULES = TRADING_RULES;

/** Every PromQL expression of the trading dashboard. */
export function tradingDashboardExprs(): string[] {
  const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD), 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr?: string }> }>;
  };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
  );
}

/** Every `freeride_trading_*` metric the rules and the dashboard read. */
export function tradingMetricsUsed(): string[] {
  const text =
    readFileSync(join(ROOT, RULES), 'utf8') +
    readFileSync(join(ROOT, DASHBOARD), 'utf8');
  return [
    ...new Set(
      [...text.matchAll(/freeride_trading_[a-z_]+/g)].map((m) =>
        m[0].replace(/_(bucket|count|sum)$/, ''),
      ),
    ),
  ].sort();
}
