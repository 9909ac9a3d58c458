import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { promtool } from './support/testing';
import {
  TRADING_RULES as RULES,
  tradingDashboardExprs,
  tradingMetricsUsed,
} from './support/trading-observability';

const TESTS = 'observability/prometheus/tests/trading.test.yml';

describe('trading alert rules and dashboard (promtool)', () => {
  it('passes promtool check rules', () => {
    const { output, status } = promtool('check', 'rules', RULES);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('passes the promtool unit tests for latency, lag, dead and failing deliveries, and a silent stream', () => {
    const { output, status } = promtool('test', 'rules', TESTS);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('parses the PromQL of every dashboard panel', () => {
    const exprs = tradingDashboardExprs();
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    const dir = mkdtempSync(join(tmpdir(), 'freeride-trading-promql-'));
    try {
      const rules = [
        'groups:',
        '  - name: grafana',
        '    rules:',
        ...exprs.flatMap((expr, i) => [
          `      - record: grafana:trading_panel_${i}`,
          `        expr: ${JSON.stringify(expr.replaceAll('$__rate_interval', '5m').replaceAll('$service', '.*'))}`,
        ]),
      ].join('\n');
      writeFileSync(join(dir, 'panels.rules.yml'), rules);
      const { output, status } = promtool(
        'check',
        'rules',
        join(dir, 'panels.rules.yml'),
      );
      expect(output).toContain('SUCCESS');
      expect(status).toBe(0);
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
  });

  it('reads the metrics of tick → delivery, lag, outcomes, dead deliveries and rules per symbol', () => {
    expect(tradingMetricsUsed()).toEqual(
      expect.arrayContaining([
        'freeride_trading_dead_deliveries',
        'freeride_trading_eval_lag_seconds',
        'freeride_trading_rules_per_symbol_max',
        'freeride_trading_tick_to_delivery_seconds',
        'freeride_trading_webhook_attempts_total',
      ]),
    );
  });
});
