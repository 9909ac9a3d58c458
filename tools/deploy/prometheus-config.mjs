#!/usr/bin/env node
/**
 * Renders the Prometheus configs of both stacks from observability/prometheus/scrape-jobs.json:
 *   - observability/prometheus/prometheus.yml: the package stack, every target on 127.0.0.1;
 *   - observability/prometheus/prometheus-cluster.yml: the scale-out package stack
 *     (`stack:up -- --cluster`), one target per app instance (`clusterPorts`), each with its own
 *     `instance` label (`<service>-a`, `<service>-b`, ... as the instances' consumer names);
 *   - deploy/compose/prometheus/prometheus.yml: docker compose, every target by service name.
 *
 *   node tools/deploy/prometheus-config.mjs           write both files
 *   node tools/deploy/prometheus-config.mjs --check   exit 1 when a committed file differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SOURCE = 'observability/prometheus/scrape-jobs.json';

/** Each stack: where its config goes, how a service is addressed, its header lines. */
export const STACKS = {
  compose: {
    file: 'deploy/compose/prometheus/prometheus.yml',
    header: [
      '# Prometheus for the docker compose stack (docker-compose.yml): scrapes every',
      '# service by its compose name, loads the same rules as the package stack.',
    ],
    host: (service) => service,
  },
  package: {
    file: 'observability/prometheus/prometheus.yml',
    header: [
      '# Prometheus for Freeride Ops (Debian prometheus 2.42+): scrapes every app\'s',
      '# /metrics on loopback, loads every rules/*.rules.yml, alerts through the',
      '# Alertmanager of observability/alertmanager/.',
    ],
    host: () => '127.0.0.1',
  },
  cluster: {
    file: 'observability/prometheus/prometheus-cluster.yml',
    header: [
      '# Prometheus for the scale-out package stack (tools/stack/up.sh --cluster): scrapes every',
      '# instance of every app on loopback (not the load balancer), each under its own `instance`',
      '# label; same rules and Alertmanager as the package stack.',
    ],
    host: () => '127.0.0.1',
    instances: (job) => job.clusterPorts ?? [job.port],
  },
};

/** Instance names by position: a, b, c, ... */
const letter = (i) => String.fromCharCode(97 + i);

/** The YAML text of one stack's config. */
export function renderPrometheusConfig(stack, source) {
  const { header, host, instances } = STACKS[stack];
  const target = ({ port, service }) => `'${host(service)}:${port}'`;
  const lines = [
    ...header,
    `# Generated from ${SOURCE} by tools/deploy/prometheus-config.mjs: edit that file, then run it.`,
    'global:',
    '  scrape_interval: 15s',
    '  evaluation_interval: 15s',
    '  external_labels:',
    '    platform: freeride',
    '',
    'rule_files:',
    '  - rules/*.rules.yml',
    '',
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: [${target(source.alertmanager)}]`,
    '',
    'scrape_configs:',
  ];
  for (const job of source.jobs) {
    lines.push(`  - job_name: ${job.job}`, '    static_configs:');
    const ports = instances ? instances(job) : [job.port];
    if (ports.length === 1) {
      lines.push(
        `      - targets: [${target({ ...job, port: ports[0] })}]`,
        `        labels: { service: ${job.service} }`,
      );
      continue;
    }
    ports.forEach((port, i) =>
      lines.push(
        `      - targets: [${target({ ...job, port })}]`,
        `        labels: { service: ${job.service}, instance: ${job.service}-${letter(i)} }`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function readSource(root = ROOT) {
  return JSON.parse(readFileSync(join(root, SOURCE), 'utf8'));
}

function main() {
  const check = process.argv.includes('--check');
  const source = readSource();
  let stale = 0;
  for (const stack of Object.keys(STACKS)) {
    const file = join(ROOT, STACKS[stack].file);
    const text = renderPrometheusConfig(stack, source);
    if (!check) {
      writeFileSync(file, text);
      continue;
    }
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      console.error(`${STACKS[stack].file} is not generated from ${SOURCE}: run node tools/deploy/prometheus-config.mjs`);
      stale++;
    }
  }
  process.exit(stale > 0 ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
