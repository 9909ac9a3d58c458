// Anomaly detection bench: records per second through detection and detection
// delay of injected anomalies, for apps/anomaly's engine and a naive baseline
// (a static errors-per-minute threshold per service, the usual hand-written
// log alert), in the same run on the same replayed stream.
//
// usage: npm run bench:anomaly -- [--json FILE] [--services N] [--per-second N] [--hours H]
import {
  AnomalyEngine,
  SYNTHETIC_TEMPLATES,
  syntheticLogStream,
} from '@freeride/anomaly-engine';
import type { InjectedBurst } from '@freeride/anomaly-engine';
import type { AnomalyEvent, LogRecordEvent } from '@freeride/contracts';

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const MINUTE = 60_000;
const START = Date.parse('2026-03-02T00:00:00.000Z');

interface Injection {
  readonly atMs: number;
  readonly durationMs: number;
  readonly name: string;
  readonly service: string;
}

interface DetectorResult {
  /** Per injection: event-time delay from its start to the first page for its service, or null when missed. */
  readonly delaysMs: Record<string, number | null>;
  /** Pages that match no injection (service and time window). */
  readonly falsePages: number;
  /** What the false pages were about. */
  readonly falsePageKeys: string[];
  readonly pages: number;
  readonly recordsPerSecond: number;
  readonly seconds: number;
}

const { values } = parseArgs({
  options: {
    hours: { default: '3', type: 'string' },
    json: { type: 'string' },
    'per-second': { default: '10', type: 'string' },
    services: { default: '10', type: 'string' },
  },
});
const services = Array.from(
  { length: Number(values.services) },
  (_, i) => `svc-${i}`,
);
const perSecond = Number(values['per-second']);
const durationMs = Number(values.hours) * 60 * MINUTE;

// injections after the first hour (the detectors' warm-up), one per service
const at = (minutes: number) => START + minutes * MINUTE;
const svc = (i: number) => services[i % services.length] ?? 'svc-0';
const injections: Injection[] = [
  {
    atMs: at(70),
    durationMs: 2 * MINUTE,
    name: 'new error pattern, 20/s',
    service: svc(1),
  },
  {
    atMs: at(90),
    durationMs: 3 * MINUTE,
    name: 'new error pattern, 0.5/s',
    service: svc(2),
  },
  {
    atMs: at(110),
    durationMs: 3 * MINUTE,
    name: 'rate burst of a usual info template, x10',
    service: svc(3),
  },
  {
    atMs: at(130),
    durationMs: 3 * MINUTE,
    name: 'error share 2% -> 30%',
    service: svc(4),
  },
  {
    atMs: at(150),
    durationMs: 6 * MINUTE,
    name: 'silence of a usual template',
    service: svc(5),
  },
].filter((i) => i.atMs + i.durationMs < START + durationMs);

const bursts: InjectedBurst[] = [
  { atMs: at(70), durationMs: 2 * MINUTE, perSecond: 20, service: svc(1) },
  {
    atMs: at(90),
    durationMs: 3 * MINUTE,
    message: 'ledger write rejected: account <n> locked by job <n>',
    perSecond: 0.5,
    service: svc(2),
  },
  {
    atMs: at(110),
    durationMs: 3 * MINUTE,
    level: 'info',
    message: SYNTHETIC_TEMPLATES.info[2],
    perSecond: (perSecond / SYNTHETIC_TEMPLATES.info.length) * 9,
    service: svc(3),
  },
  {
    atMs: at(130),
    durationMs: 3 * MINUTE,
    message: SYNTHETIC_TEMPLATES.error,
    perSecond: perSecond * 0.4,
    service: svc(4),
  },
];
const silenced = {
  from: at(150),
  service: svc(5),
  template: 'cache hit for symbol AAPL',
  to: at(156),
};

function buildStream(): LogRecordEvent[] {
  const out: LogRecordEvent[] = [];
  for (const record of syntheticLogStream({
    bursts,
    durationMs,
    perSecond,
    services,
    startMs: START,
  })) {
    const ts = Date.parse(record['@timestamp']);
    if (
      record.service === silenced.service &&
      record.message.startsWith(silenced.template) &&
      ts >= silenced.from &&
      ts < silenced.to
    ) {
      continue;
    }
    out.push(record);
  }
  return out;
}

/** The naive baseline: page when a service logs more than `threshold` errors in a minute. */
class NaiveErrorThreshold {
  private readonly counts = new Map<
    string,
    { count: number; minute: number; paged: boolean }
  >();
  constructor(private readonly threshold: number) {}

  observe(
    record: LogRecordEvent,
  ): { atMs: number; service: string } | undefined {
    if (record.level !== 'error') return undefined;
    const ts = Date.parse(record['@timestamp']);
    const minute = Math.floor(ts / MINUTE);
    let state = this.counts.get(record.service);
    if (!state || state.minute !== minute) {
      state = { count: 0, minute, paged: false };
      this.counts.set(record.service, state);
    }
    state.count++;
    if (state.count > this.threshold && !state.paged) {
      state.paged = true;
      return { atMs: ts, service: record.service };
    }
    return undefined;
  }
}

function score(
  pages: { atMs: number; key?: string; service: string }[],
  seconds: number,
  records: number,
): DetectorResult {
  const delaysMs: Record<string, number | null> = {};
  const matched = new Set<number>();
  for (const injection of injections) {
    const index = pages.findIndex(
      (p) =>
        p.service === injection.service &&
        p.atMs >= injection.atMs &&
        p.atMs <= injection.atMs + injection.durationMs + 5 * MINUTE,
    );
    delaysMs[injection.name] =
      index >= 0 ? (pages[index]?.atMs ?? 0) - injection.atMs : null;
    pages.forEach((p, i) => {
      if (
        p.service === injection.service &&
        p.atMs >= injection.atMs &&
        p.atMs <= injection.atMs + injection.durationMs + 5 * MINUTE
      ) {
        matched.add(i);
      }
    });
  }
  return {
    delaysMs,
    falsePageKeys: pages
      .filter((_, i) => !matched.has(i))
      .map(
        (p) => `${p.key ?? p.service} at minute ${(p.atMs - START) / MINUTE}`,
      ),
    falsePages: pages.length - matched.size,
    pages: pages.length,
    recordsPerSecond: Math.round(records / seconds),
    seconds: Number(seconds.toFixed(2)),
  };
}

function runEngine(records: readonly LogRecordEvent[]): DetectorResult {
  const engine = new AnomalyEngine({
    links: () => ({ discover: '', runbook: '' }),
  });
  const fired: AnomalyEvent[] = [];
  const started = process.hrtime.bigint();
  for (const record of records) {
    for (const event of engine.observeLog(record, 0))
      if (event.status === 'firing') fired.push(event);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return score(
    fired.map((e) => ({
      atMs: Date.parse(e['@timestamp']),
      key: e.key,
      service: e.service,
    })),
    seconds,
    records.length,
  );
}

function runNaive(records: readonly LogRecordEvent[]): DetectorResult {
  // a hand-set threshold: 3x the steady error rate of a service
  const threshold = Math.ceil(perSecond * 60 * 0.02 * 3);
  const naive = new NaiveErrorThreshold(threshold);
  const pages: { atMs: number; service: string }[] = [];
  const started = process.hrtime.bigint();
  for (const record of records) {
    const page = naive.observe(record);
    if (page) pages.push(page);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return score(pages, seconds, records.length);
}

const records = buildStream();
const engine = runEngine(records);
const naive = runNaive(records);
const result = {
  command: `npm run bench:anomaly -- --services ${services.length} --per-second ${perSecond} --hours ${values.hours}`,
  node: process.version,
  records: records.length,
  replayedHours: Number(values.hours),
  results: { engine, naive },
  injections: injections.map((i) => ({
    name: i.name,
    service: i.service,
    startMinute: (i.atMs - START) / MINUTE,
  })),
};

const fmt = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? 'missed' : `${(ms / 1000).toFixed(0)} s`;
const lines = [
  `records: ${records.length} (${services.length} services x ${perSecond}/s, ${values.hours} h replayed)`,
  `| detector | records/s | pages | false pages | ${injections.map((i) => i.name).join(' | ')} |`,
  `| --- | ---: | ---: | ---: | ${injections.map(() => '---:').join(' | ')} |`,
  ...(['engine', 'naive'] as const).map((name) => {
    const r = result.results[name];
    return `| ${name === 'engine' ? 'apps/anomaly engine' : 'naive errors/min threshold'} | ${r.recordsPerSecond} | ${r.pages} | ${r.falsePages} | ${injections.map((i) => fmt(r.delaysMs[i.name])).join(' | ')} |`;
  }),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json)
  writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
