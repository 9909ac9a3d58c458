// Benchmark of @freeride/detectors: Loghub-2k template mining and metric anomaly detection on
// every labelled metric corpus (NAB, AIOps 2018 KPIs, JumpStarter).
// Usage: npm run bench:detectors [-- --json FILE] [--datasets DIR] [--work DIR] [--corpora a,b] [--no-write]
import { TemplateMiner } from '@freeride/detectors';

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

import {
  DRAIN_GA,
  LOGHUB_DATASETS,
  assertLoghub,
  loadDataset,
  scoreDataset,
} from './loghub-bench';
import type { BenchParser, LoghubResult } from './loghub-bench';
import {
  HALVES,
  ensureDrain3,
  runDrain3Grid,
  runMinerGrid,
  split,
} from './loghub-split';
import type { Drain3Config, SplitOutcome } from './loghub-split';
import {
  CORPUS_NAMES,
  METRIC_DETECTORS,
  beatsBaselines,
  benchCorpus,
  corpusTable,
  loadCorpus,
} from './metric-bench';
import type { CorpusFigures, CorpusName } from './metric-bench';
import type { MetricCorpus, PointScorer } from './metric-corpora';
import { NaiveTemplateMiner } from './naive-template-miner';

const REPO_ROOT = resolve(__dirname, '../../..');
const REPEATS = 3;

/** Consumes results in the throughput loops so the JIT cannot drop the calls. */
let sink = 0;

interface Args {
  corpora: CorpusName[];
  datasets: string;
  json: string | undefined;
  work: string;
  write: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    corpora: [...CORPUS_NAMES],
    datasets: resolve(REPO_ROOT, '../shared/datasets'),
    json: undefined,
    work: resolve(REPO_ROOT, 'tmp/metric-corpora'),
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${flag} needs a value`);
      }
      return next;
    };
    if (flag === '--json') {
      args.json = resolve(value());
    } else if (flag === '--datasets') {
      args.datasets = resolve(value());
    } else if (flag === '--work') {
      args.work = resolve(value());
    } else if (flag === '--corpora') {
      const names = value().split(',');
      for (const n of names) {
        if (!(CORPUS_NAMES as readonly string[]).includes(n)) {
          throw new Error(
            `unknown corpus ${n} (known: ${CORPUS_NAMES.join(', ')})`,
          );
        }
      }
      args.corpora = names as CorpusName[];
      args.write = false;
    } else if (flag === '--no-write') {
      args.write = false;
    } else {
      throw new Error(`unknown argument ${flag}`);
    }
  }
  return args;
}

const f3 = (x: number): string => x.toFixed(3);
const met = (ok: boolean, figure: string): string =>
  ok ? `${figure}, met` : `**${figure}**, not met`;
const f2 = (x: number): string => x.toFixed(2);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const mean = (xs: readonly number[]): number =>
  xs.reduce((a, b) => a + b, 0) / xs.length;

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Throughput per wall-clock second and per second of this process's CPU time, best of N. */
interface Throughput {
  readonly cpu: number;
  readonly wall: number;
}

function measure(items: number, run: () => void): Throughput {
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < REPEATS; r++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    run();
    wall = Math.max(
      wall,
      items / (Number(process.hrtime.bigint() - start) / 1e9),
    );
    const used = process.cpuUsage(cpuStart);
    cpu = Math.max(cpu, items / ((used.user + used.system) / 1e6));
  }
  return { cpu, wall };
}

/** Best-of-N throughput of a parser over every Loghub message. */
function linesPerSecond(
  contents: readonly string[][],
  make: () => BenchParser,
): Throughput {
  const lines = contents.reduce((n, c) => n + c.length, 0);
  return measure(lines, () => {
    for (const dataset of contents) {
      const parser = make();
      for (const line of dataset) {
        sink += parser.add(line).templateId.length;
      }
    }
  });
}

/** Best-of-N throughput of a point scorer over every point of a corpus's first column. */
function pointsPerSecond(
  corpus: MetricCorpus,
  make: () => PointScorer,
): Throughput {
  const points = corpus.series.reduce((n, s) => n + s.timestampsMs.length, 0);
  return measure(points, () => {
    for (const s of corpus.series) {
      const scorer = make();
      const values = s.columns[0];
      for (let i = 0; i < values.length; i++) {
        sink += scorer.update(s.timestampsMs[i], values[i]).score;
      }
    }
  });
}

interface LoghubSummary {
  readonly averages: {
    readonly corrected: { f1: number; ga: number; pa: number };
    readonly original: { f1: number; ga: number; pa: number };
  };
  readonly linesPerSecond: Throughput;
  readonly perDataset: LoghubResult[];
}

function summarise(results: LoghubResult[], lps: Throughput): LoghubSummary {
  const avg = (pick: (r: LoghubResult) => number): number =>
    mean(results.map(pick));
  return {
    averages: {
      corrected: {
        f1: avg((r) => r.corrected.f1),
        ga: avg((r) => r.corrected.ga),
        pa: avg((r) => r.corrected.pa),
      },
      original: {
        f1: avg((r) => r.original.f1),
        ga: avg((r) => r.original.ga),
        pa: avg((r) => r.original.pa),
      },
    },
    linesPerSecond: lps,
    perDataset: results,
  };
}

function loghubSection(ours: LoghubSummary, naive: LoghubSummary): string {
  const rows = ours.perDataset.map((r, i) => {
    const b = naive.perDataset[i];
    return [
      r.dataset,
      f3(r.original.ga),
      f3(r.corrected.ga),
      f3(r.original.pa),
      f3(r.corrected.pa),
      f3(r.original.f1),
      f3(r.corrected.f1),
      f3(DRAIN_GA[r.dataset]),
      f3(b.original.ga),
      f3(b.corrected.pa),
    ];
  });
  const a = ours.averages;
  const n = naive.averages;
  rows.push([
    '**average (16)**',
    `**${f3(a.original.ga)}**`,
    `**${f3(a.corrected.ga)}**`,
    `**${f3(a.original.pa)}**`,
    `**${f3(a.corrected.pa)}**`,
    `**${f3(a.original.f1)}**`,
    `**${f3(a.corrected.f1)}**`,
    `**${f3(mean(Object.values(DRAIN_GA)))}**`,
    `**${f3(n.original.ga)}**`,
    `**${f3(n.corrected.pa)}**`,
  ]);
  return [
    table(
      [
        'dataset',
        'GA orig',
        'GA corr',
        'PA orig',
        'PA corr',
        'F1 orig',
        'F1 corr',
        'Drain GA (published)',
        'naive GA orig',
        'naive PA corr',
      ],
      rows,
    ),
    '',
    table(
      [
        'miner',
        'avg GA orig',
        'avg GA corr',
        'avg PA corr',
        'lines per CPU-second',
        'lines per wall-second',
      ],
      [
        [
          'TemplateMiner',
          f3(a.original.ga),
          f3(a.corrected.ga),
          f3(a.corrected.pa),
          int(ours.linesPerSecond.cpu),
          int(ours.linesPerSecond.wall),
        ],
        [
          'naive (whitespace split, tokens with digits masked)',
          f3(n.original.ga),
          f3(n.corrected.ga),
          f3(n.corrected.pa),
          int(naive.linesPerSecond.cpu),
          int(naive.linesPerSecond.wall),
        ],
        [
          '**ratio TemplateMiner / naive**',
          f2(a.original.ga / n.original.ga),
          f2(a.corrected.ga / n.corrected.ga),
          f2(a.corrected.pa / n.corrected.pa),
          f2(ours.linesPerSecond.cpu / naive.linesPerSecond.cpu),
          f2(ours.linesPerSecond.wall / naive.linesPerSecond.wall),
        ],
      ],
    ),
  ].join('\n');
}

function throughputTable(rows: readonly [string, Throughput][]): string {
  return table(
    ['detector', 'points per CPU-second', 'points per wall-second'],
    rows.map(([name, t]) => [name, int(t.cpu), int(t.wall)]),
  );
}

interface SplitFigures {
  readonly directions: {
    readonly drain3: SplitOutcome<Drain3Config> | undefined;
    readonly miner: SplitOutcome<unknown>;
    readonly reportOn: 'A' | 'B';
    readonly tuneOn: 'A' | 'B';
  }[];
  readonly drain3LinesPerCpuSecond: number | undefined;
  readonly drain3Missing: string | undefined;
}

function splitSection(f: SplitFigures): string {
  const rows: string[][] = [];
  for (const d of f.directions) {
    const row = (
      name: string,
      o: SplitOutcome<unknown> | undefined,
    ): string[] =>
      o === undefined
        ? [`${d.tuneOn} → ${d.reportOn}`, name, 'not run', '–', '–', '–', '–']
        : [
            `${d.tuneOn} → ${d.reportOn}`,
            name,
            `\`${JSON.stringify(o.chosen)}\``,
            f3(o.tuned.gaOriginal),
            `**${f3(o.heldOut.gaOriginal)}**`,
            f3(o.heldOut.gaCorrected),
            f3(o.heldOut.paCorrected),
          ];
    rows.push(row('TemplateMiner', d.miner));
    rows.push(row('Drain3 0.9.11', d.drain3));
  }
  const perDataset: string[][] = [];
  for (const d of f.directions) {
    for (const name of HALVES[d.reportOn]) {
      perDataset.push([
        `${name} (${d.reportOn}, held out)`,
        f3(d.miner.heldOutPerDataset[name]),
        d.drain3 === undefined ? '–' : f3(d.drain3.heldOutPerDataset[name]),
      ]);
    }
  }
  const held = f.directions
    .map(
      (d) =>
        `${d.tuneOn} → ${d.reportOn}: ${met(d.miner.heldOut.gaOriginal >= 0.95, f3(d.miner.heldOut.gaOriginal))}`,
    )
    .join('; ');
  return [
    `Halves (fixed before scoring): A = ${HALVES.A.join(', ')}; B = ${HALVES.B.join(', ')}.`,
    `TemplateMiner GA (original GT) on the held-out half ≥ 0.95 in both directions: ${held}.`,
    'Each parser chooses its configuration by average GA (original GT) on the tuning half from a',
    'fixed grid (TemplateMiner: `variableThreshold` 2–5 × `variableRatio` 0 / 0.2; Drain3: similarity',
    'threshold 0.3–0.7 × number / hex / IPv4 masks on or off, depth 4). The TemplateMiner grid was',
    'fixed before any split was scored; the Drain3 "masks off" half of its grid was added after its',
    'first split run (masks always on), so that Drain3 is not held to masks it may not need.',
    'The masking rule that joined a number with its unit word (`2048 bytes (2.0 KB)` as one',
    'variable) was removed before any split was scored: unit words stay constant tokens.',
    "**Caveat:** the miner's other rules (token shapes that are variables, list templates, the",
    'half-constant rule) were written by an earlier session that read scores and remaining errors on',
    'all 16 datasets, so neither half is unseen for those rules; only the grid choice and the removal',
    'of the unit-word rule were made under this split.',
    "**Why A → B stays below 0.95.** Proxifier's original ground truth puts 947 of its 2,000 lines",
    '(47 %) in one event, `<*> close, <*> bytes<*>sent, <*> bytes<*>received, lifetime <*>`, that spans',
    'nine constant-word shapes (`… bytes sent`, `… bytes (1.2 KB) sent`, `lifetime <1 sec`, …). A',
    "parser that never joins messages whose constant words differ (the issue's rule) splits that",
    'event, so GA cannot exceed 1,053 / 2,000 = 0.5265 on Proxifier; with every other dataset of',
    'half B at 1.000 the half would average at most (7 + 0.5265) / 8 = 0.941. This was read from',
    "Proxifier's ground-truth templates after the split was scored; no rule was written from it.",
    'Both parsers run on the same `Content` lines, scored by the same code.',
    f.drain3Missing === undefined
      ? ''
      : `**Drain3 not run:** ${f.drain3Missing}.`,
    '',
    table(
      [
        'tuned → held out',
        'parser',
        'configuration chosen',
        'GA orig, tuning half',
        'GA orig, held-out half',
        'GA corr, held-out',
        'PA corr, held-out',
      ],
      rows,
    ),
    '',
    table(['dataset', 'TemplateMiner GA orig', 'Drain3 GA orig'], perDataset),
    f.drain3LinesPerCpuSecond === undefined
      ? ''
      : `\nDrain3: ${int(f.drain3LinesPerCpuSecond)} lines per CPU-second (Python, its own timing of \`add_log_message\`).`,
  ].join('\n');
}

interface Headline {
  readonly gaCorrected: number;
  readonly gaOriginal: number;
  readonly linesCpu: number;
  readonly paCorrected: number;
  readonly pointsCpu: number;
}

function markdown(
  loghub: string,
  metric: string,
  figures: readonly CorpusFigures[],
  headline: Headline,
): string {
  const { gaCorrected, gaOriginal, linesCpu, paCorrected, pointsCpu } =
    headline;
  const nab = figures.find((f) => f.corpus === 'nab');
  const nabStandard =
    nab?.results[METRIC_DETECTORS[0].name].profiles.standard.score ?? NaN;
  const beaten = figures.filter(beatsBaselines).map((f) => f.corpus);
  const notBeaten = figures
    .filter((f) => !beatsBaselines(f))
    .map((f) => f.corpus);
  return `## Detectors

Command: \`npm run bench:detectors\` (writes this section; \`-- --json FILE\` writes the same
figures as JSON, \`-- --no-write\` leaves this file alone, \`-- --corpora nab,aiops18-kpi-train\`
scores only the named metric corpora and writes nothing). Takes a few minutes. Data:
\`../shared/datasets\` beside the repository (\`-- --datasets DIR\` to change); the AIOps and
JumpStarter corpora are converted to NAB layout with their own \`to_nab_layout.py\` into
\`tmp/metric-corpora\` on the first run.
Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, other work running on the machine.

### Metric anomaly detection: one configuration, every labelled corpus

**Discipline.** Parameters were chosen on **NAB** and the **train half of aiops18-kpi** only
(role "tuning" below). The **test half of aiops18-kpi** and **all of jumpstarter-d2** are
validation: they were scored only with the configuration fixed, and nothing was changed after
seeing them, except as said under "Configurations tried" below. Each corpus is scored with NAB's scorer (\`shared/datasets/nab/SCORING.md\`, exact
threshold sweep, one threshold per profile per corpus, as every NAB scoreboard entry) and with
event-level F1: an event is a labelled window; it is found when any row in it alarms; a run of
alarm rows outside every window counts one false positive per window length it spans; the
threshold giving the best F1 on the corpus is used. JumpStarter is scored per service (one
detector per metric, the row's score is the largest of its 19 metrics' scores). The same harness
runs the detector and the three baselines on the same points.

${metric}

Detector beats every baseline on standard and on event F1: ${beaten.length > 0 ? beaten.join(', ') : 'none'}${notBeaten.length > 0 ? `; **not on ${notBeaten.join(', ')}**` : ''}. NAB standard ≥ 65: ${met(nabStandard >= 65, f2(nabStandard))}. ≥ 1,000,000 points per CPU-second: ${met(pointsCpu >= 1_000_000, int(pointsCpu))}.

${readFileSync(join(__dirname, 'configurations-tried.md'), 'utf8').trim()}

### Log template mining (\`TemplateMiner\`)

${loghub}

### Targets

| target | reached |
| --- | --- |
| Loghub-2k avg GA ≥ 0.98 (original GT) | ${met(gaOriginal >= 0.98, f3(gaOriginal))} |
| avg GA ≥ 0.90 (corrected GT) and avg PA > 0.75 | ${met(gaCorrected >= 0.9 && paCorrected > 0.75, `${f3(gaCorrected)} and ${f3(paCorrected)}`)} |
| ≥ 100,000 lines/s on one core | ${met(linesCpu >= 100_000, `${int(linesCpu)} lines per CPU-second`)} |

Throughput is the best of 3 runs of the mining or scoring loop alone (no file reading), per
second of this process's CPU time (the machine's 2 cores were shared with other work, so the
wall-clock figure is also shown and is lower).
`;
}

function updateBenchmarksFile(section: string): void {
  const path = join(REPO_ROOT, 'BENCHMARKS.md');
  const current = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# Benchmarks\n';
  const start = current.indexOf('\n## Detectors\n');
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + 1);
    next =
      current.slice(0, start + 1) +
      section +
      (after < 0 ? '' : `\n${current.slice(after + 1)}`);
  }
  writeFileSync(path, next.endsWith('\n') ? next : `${next}\n`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const loghubRoot = join(args.datasets, 'loghub2k');
  assertLoghub(loghubRoot);

  process.stdout.write('Loghub-2k: mining 16 datasets...\n');
  const datasets = LOGHUB_DATASETS.map((name) => loadDataset(loghubRoot, name));
  const makeMiner = (): BenchParser => new TemplateMiner();
  const makeNaive = (): BenchParser => new NaiveTemplateMiner();
  const contents = datasets.map((d) => d.contents);
  const ours = summarise(
    datasets.map((d) => scoreDataset(d, makeMiner)),
    linesPerSecond(contents, makeMiner),
  );
  const naive = summarise(
    datasets.map((d) => scoreDataset(d, makeNaive)),
    linesPerSecond(contents, makeNaive),
  );
  process.stdout.write(
    'Loghub-2k: split halves, TemplateMiner grid and Drain3 grid...\n',
  );
  const minerGrid = runMinerGrid(datasets);
  const drain3 = ensureDrain3();
  const drain3Grid =
    'python' in drain3 ? runDrain3Grid(drain3.python, datasets) : undefined;
  const splitFigures: SplitFigures = {
    directions: (
      [
        ['A', 'B'],
        ['B', 'A'],
      ] as const
    ).map(([tuneOn, reportOn]) => ({
      drain3:
        drain3Grid === undefined
          ? undefined
          : split(drain3Grid.grid, HALVES[tuneOn], HALVES[reportOn]),
      miner: split(minerGrid, HALVES[tuneOn], HALVES[reportOn]),
      reportOn,
      tuneOn,
    })),
    drain3LinesPerCpuSecond: drain3Grid?.linesPerCpuSecond,
    drain3Missing: 'missing' in drain3 ? drain3.missing : undefined,
  };
  const loghub = `${splitSection(splitFigures)}\n\nAll 16 datasets with the default configuration:\n\n${loghubSection(ours, naive)}`;
  process.stdout.write(`\n${loghub}\n\n`);

  const figures: CorpusFigures[] = [];
  let throughput: [string, Throughput][] = [];
  for (const name of args.corpora) {
    process.stdout.write(
      `${name}: scoring with ${METRIC_DETECTORS.length} detectors...\n`,
    );
    const corpus = loadCorpus(args.datasets, args.work, name);
    const f = benchCorpus(corpus);
    figures.push(f);
    process.stdout.write(`\n${corpusTable(f)}\n\n`);
    if (name === 'nab') {
      throughput = METRIC_DETECTORS.map((d) => [
        d.name,
        pointsPerSecond(corpus, d.make),
      ]);
      process.stdout.write(`${throughputTable(throughput)}\n\n`);
    }
  }
  const metric = [
    ...figures.map(corpusTable),
    ...(throughput.length > 0
      ? ['Throughput on NAB (365,558 points):', '', throughputTable(throughput)]
      : []),
  ].join('\n\n');

  if (args.json !== undefined) {
    writeFileSync(
      args.json,
      `${JSON.stringify(
        {
          loghub: {
            split: splitFigures,
            drainPublishedGa: DRAIN_GA,
            naive,
            templateMiner: ours,
          },
          metric: {
            corpora: figures.map((f) => ({
              ...f,
              beatsEveryBaseline: beatsBaselines(f),
            })),
            throughputOnNab: Object.fromEntries(throughput),
          },
          node: process.version,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`\nJSON written to ${args.json}\n`);
  }
  if (Number.isNaN(sink)) {
    process.stdout.write('a detector returned NaN\n');
  }
  if (args.write) {
    updateBenchmarksFile(
      markdown(loghub, metric, figures, {
        gaCorrected: ours.averages.corrected.ga,
        gaOriginal: ours.averages.original.ga,
        linesCpu: ours.linesPerSecond.cpu,
        paCorrected: ours.averages.corrected.pa,
        pointsCpu:
          throughput.find(([n]) => n === METRIC_DETECTORS[0].name)?.[1].cpu ??
          Number.NaN,
      }),
    );
    process.stdout.write('BENCHMARKS.md section "## Detectors" updated\n');
  }
}

main();
