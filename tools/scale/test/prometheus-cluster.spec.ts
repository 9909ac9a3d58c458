/**
 * The scale-out stack's Prometheus config (issue 13): every instance that `up.sh --cluster`
 * starts is scraped on its own port under its own `instance` label, never through the load
 * balancer, and promtool accepts the file with its rules.
 */
import { promtool } from '@freeride/testing';

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const CONFIG = 'observability/prometheus/prometheus-cluster.yml';

interface PromConfig {
  scrape_configs: {
    job_name: string;
    static_configs: { labels?: Record<string, string>; targets: string[] }[];
  }[];
}

/** `<app>` → `[instance letter, port]` of every `part <app> instance <x> env <APP>_PORT=<n>` line. */
function clusterInstances(): Map<string, [string, number][]> {
  const upSh = readFileSync(join(ROOT, 'tools/stack/up.sh'), 'utf8');
  const found = new Map<string, [string, number][]>();
  for (const m of upSh.matchAll(
    /^\s*part ([a-z-]+) instance ([a-z]) env [A-Z_]+_PORT=(\d+)/gm,
  )) {
    const [, app, letter, port] = m;
    found.set(app, [...(found.get(app) ?? []), [letter, Number(port)]]);
  }
  return found;
}

describe('observability/prometheus/prometheus-cluster.yml', () => {
  const config = parse(readFileSync(join(ROOT, CONFIG), 'utf8')) as PromConfig;
  const job = (name: string) =>
    config.scrape_configs.find((j) => j.job_name === name);

  it('passes promtool check config, rule files included', () => {
    const result = promtool('check', 'config', CONFIG);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('scrapes each instance that up.sh --cluster starts, under its own instance label', () => {
    const instances = clusterInstances();
    expect([...instances.keys()].sort()).toEqual([
      'anomaly',
      'ingest',
      'market-gateway',
      'trading',
    ]);
    for (const [app, started] of instances) {
      expect(started.length).toBeGreaterThanOrEqual(2);
      const scraped = (job(app)?.static_configs ?? []).map((s) => ({
        instance: s.labels?.['instance'],
        service: s.labels?.['service'],
        targets: s.targets,
      }));
      expect(scraped).toEqual(
        started.map(([letter, port]) => ({
          instance: `${app}-${letter}`,
          service: app,
          targets: [`127.0.0.1:${port}`],
        })),
      );
    }
  });

  it('has no two targets with the same instance label, and never scrapes the load balancer', () => {
    const labels = config.scrape_configs.flatMap((j) =>
      j.static_configs.flatMap((s) =>
        s.targets.map((t) => `${j.job_name}/${s.labels?.['instance'] ?? t}`),
      ),
    );
    expect(new Set(labels).size).toBe(labels.length);
    const targets = config.scrape_configs.flatMap((j) =>
      j.static_configs.flatMap((s) => s.targets),
    );
    // HAProxy in front of the two ingests (tools/stack/up.sh --cluster).
    expect(targets).not.toContain('127.0.0.1:4318');
  });
});
