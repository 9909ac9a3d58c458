import { MetricDetector } from '@freeride/detectors';

import { join, resolve } from 'node:path';

import { EwmaMadBaseline, SeasonalNaiveBaseline } from './metric-baselines';
import {
  PROFILE_ORDER,
  convertCorpus,
  evaluate,
  loadNabLayout,
} from './metric-corpora';
import type { CorpusResult, MetricCorpus, PointScorer } from './metric-corpora';
import { RollingZScore } from './rolling-z-score';

/** The detector under test and the three baselines, run by the same harness. */
export const METRIC_DETECTORS: readonly {
  readonly make: () => PointScorer;
  readonly name: string;
}[] = [
  { make: () => new MetricDetector(), name: 'MetricDetector' },
  { make: () => new RollingZScore(), name: 'rolling z-score, 200 points' },
  { make: () => new EwmaMadBaseline(), name: 'EWMA with MAD bands' },
  { make: () => new SeasonalNaiveBaseline(), name: 'seasonal-naive (one day)' },
];

/** Every metric corpus of `../shared/datasets`, with its role. */
export const CORPUS_NAMES = [
  'nab',
  'aiops18-kpi-train',
  'aiops18-kpi-test',
  'jumpstarter-d2',
] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

/** Loads one corpus, converting it to NAB layout under `workDir` first when needed. */
export function loadCorpus(
  datasets: string,
  workDir: string,
  name: CorpusName,
): MetricCorpus {
  switch (name) {
    case 'nab':
      return loadNabLayout(join(datasets, 'nab'), name, 'tuning');
    case 'aiops18-kpi-train':
    case 'aiops18-kpi-test': {
      const part = name.endsWith('train') ? 'train' : 'test';
      const dir = convertCorpus(
        join(datasets, 'aiops18-kpi/to_nab_layout.py'),
        resolve(workDir, `aiops18-kpi-${part}`),
        ['--part', part],
      );
      return loadNabLayout(
        dir,
        name,
        part === 'train' ? 'tuning' : 'validation',
      );
    }
    case 'jumpstarter-d2': {
      const dir = convertCorpus(
        join(datasets, 'jumpstarter-d2/to_nab_layout.py'),
        resolve(workDir, 'jumpstarter-d2'),
        [],
      );
      return loadNabLayout(dir, name, 'validation');
    }
  }
}

/** Results of every detector on one corpus. */
export interface CorpusFigures {
  readonly corpus: string;
  readonly points: number;
  readonly results: Record<string, CorpusResult>;
  readonly role: MetricCorpus['role'];
  readonly windows: number;
}

/** Runs the detector and the baselines over one corpus. */
export function benchCorpus(corpus: MetricCorpus): CorpusFigures {
  const results: Record<string, CorpusResult> = {};
  for (const d of METRIC_DETECTORS) {
    results[d.name] = evaluate(corpus, d.make);
  }
  return {
    corpus: corpus.name,
    points: results[METRIC_DETECTORS[0].name].points,
    results,
    role: corpus.role,
    windows: corpus.windowCount,
  };
}

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);

/** Whether the detector beats every baseline on standard and on event F1. */
export function beatsBaselines(figures: CorpusFigures): boolean {
  const ours = figures.results[METRIC_DETECTORS[0].name];
  return METRIC_DETECTORS.slice(1).every((b) => {
    const r = figures.results[b.name];
    return (
      ours.profiles.standard.score > r.profiles.standard.score &&
      ours.eventF1.f1 > r.eventF1.f1
    );
  });
}

/** The side-by-side table of one corpus. */
export function corpusTable(figures: CorpusFigures): string {
  const header = [
    'detector',
    'standard',
    'low FP',
    'low FN',
    'event F1',
    'event P / R',
    'threshold (standard)',
  ];
  const rows = METRIC_DETECTORS.map((d) => {
    const r = figures.results[d.name];
    const name = d === METRIC_DETECTORS[0] ? `**${d.name}**` : d.name;
    return [
      name,
      ...PROFILE_ORDER.map((p) => f2(r.profiles[p].score)),
      f3(r.eventF1.f1),
      `${f2(r.eventF1.precision)} / ${f2(r.eventF1.recall)}`,
      r.profiles.standard.threshold.toPrecision(3),
    ];
  });
  const lines = [
    header,
    header.map((_, i) => (i === 0 ? '---' : '---:')),
    ...rows,
  ];
  return [
    `**${figures.corpus}** (${figures.role}; ${figures.windows} windows, ${figures.points.toLocaleString('en-US')} points scored): detector beats every baseline on standard and event F1: **${beatsBaselines(figures) ? 'yes' : 'no'}**`,
    '',
    ...lines.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
