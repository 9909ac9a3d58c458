import {
  NAB_PROFILES,
  normaliseNabScore,
  optimiseThreshold,
  probationaryRows,
  windowsToRows,
} from '@freeride/detectors';
import type { NabFile, NabProfileName } from '@freeride/detectors';

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A streaming scorer of one univariate series: a fresh instance per series. */
export interface PointScorer {
  update(timestampMs: number, value: number): { score: number };
}

/** One file of a NAB-layout corpus: one or more value columns, one score per row. */
export interface CorpusSeries {
  /** One array per value column (NAB: one; JumpStarter service files: 19). */
  readonly columns: Float64Array[];
  readonly key: string;
  readonly timestampsMs: Float64Array;
  readonly windows: [number, number][];
}

/** A labelled metric corpus in NAB layout. */
export interface MetricCorpus {
  /** Used to choose parameters (tuning) or only to check them (validation). */
  readonly role: 'tuning' | 'validation';
  readonly name: string;
  readonly series: CorpusSeries[];
  readonly windowCount: number;
}

/** The three profiles in scoreboard order. */
export const PROFILE_ORDER: readonly NabProfileName[] = [
  'standard',
  'reward_low_FP_rate',
  'reward_low_FN_rate',
];

function parseTimestamp(text: string): number {
  return Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(5, 7)) - 1,
    Number(text.slice(8, 10)),
    Number(text.slice(11, 13)),
    Number(text.slice(14, 16)),
    Number(text.slice(17, 19)),
  );
}

/** Loads a NAB-layout directory (`data/<category>/*.csv`, `labels/combined_windows.json`). */
export function loadNabLayout(
  root: string,
  name: string,
  role: MetricCorpus['role'],
): MetricCorpus {
  const windows = JSON.parse(
    readFileSync(join(root, 'labels/combined_windows.json'), 'utf8'),
  ) as Record<string, [string, string][]>;
  const series = Object.keys(windows)
    .sort()
    .map((key): CorpusSeries => {
      const lines = readFileSync(join(root, 'data', key), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.length > 0);
      const header = lines[0].split(',');
      const valueColumns = header
        .map((h, i) => (h === 'timestamp' ? -1 : i))
        .filter((i) => i >= 0);
      const rows = lines.length - 1;
      const timestamps: string[] = new Array<string>(rows);
      const timestampsMs = new Float64Array(rows);
      const columns = valueColumns.map(() => new Float64Array(rows));
      for (let r = 0; r < rows; r++) {
        const cells = lines[r + 1].split(',');
        timestamps[r] = cells[0];
        timestampsMs[r] = parseTimestamp(cells[0]);
        valueColumns.forEach((c, j) => {
          columns[j][r] = cells[c] === '' ? Number.NaN : Number(cells[c]);
        });
      }
      return {
        columns,
        key,
        timestampsMs,
        windows: windowsToRows(timestamps, windows[key]),
      };
    });
  const windowCount = series.reduce(
    (n, s) =>
      n +
      s.windows.filter(([, b]) => b >= probationaryRows(s.columns[0].length))
        .length,
    0,
  );
  return { name, role, series, windowCount };
}

/**
 * Converts a corpus of `../shared/datasets` with its own `to_nab_layout.py`
 * into `outDir` (once; reused when present).
 */
export function convertCorpus(
  script: string,
  outDir: string,
  args: readonly string[],
): string {
  if (!existsSync(join(outDir, 'labels/combined_windows.json'))) {
    execFileSync('python3', [script, outDir, ...args], { stdio: 'ignore' });
  }
  if (readdirSync(join(outDir, 'data')).length === 0) {
    throw new Error(`conversion into ${outDir} wrote no data`);
  }
  return outDir;
}

/** Scores of one detector over one corpus: one Float64Array per file. */
export interface CorpusScores {
  readonly files: NabFile[];
  readonly points: number;
  readonly seconds: number;
}

/**
 * Runs a fresh scorer per value column of every file; a row's score is the
 * largest of its columns' scores (for multi-metric services).
 */
export function scoreCorpus(
  corpus: MetricCorpus,
  make: () => PointScorer,
): CorpusScores {
  const files: NabFile[] = [];
  let points = 0;
  let seconds = 0;
  for (const s of corpus.series) {
    const rows = s.timestampsMs.length;
    const scores = new Float64Array(rows);
    const start = process.hrtime.bigint();
    for (const column of s.columns) {
      const scorer = make();
      for (let i = 0; i < rows; i++) {
        const score = scorer.update(s.timestampsMs[i], column[i]).score;
        if (score > scores[i]) {
          scores[i] = score;
        }
      }
      points += rows;
    }
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
    files.push({ scores, windows: s.windows });
  }
  return { files, points, seconds };
}

/** Event-level precision, recall and F1 at the best corpus-wide threshold. */
export interface EventF1 {
  readonly f1: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly threshold: number;
  readonly truePositives: number;
}

/**
 * Event-level F1: an event is a labelled window (after the probation); it is
 * found when any of its rows scores ≥ the threshold. A run of alarm rows
 * outside every window counts one false positive per window length it spans
 * (rounded up; the file's mean window length, or a tenth of the file when it
 * has none). The threshold is swept over the 400 highest distinct scores and
 * geometrically spaced ranks below them, and the best F1 is reported, as NAB's sweep picks one threshold per corpus.
 */
export function eventF1(files: readonly NabFile[]): EventF1 {
  const positive: number[] = [];
  for (const f of files) {
    const p = probationaryRows(f.scores.length);
    for (let i = p; i < f.scores.length; i++) {
      if (f.scores[i] > 0) positive.push(f.scores[i]);
    }
  }
  const sorted = Float64Array.from(positive).sort().reverse();
  // Candidates: the 400 highest distinct scores, then ranks spaced
  // geometrically down to the lowest positive score.
  const candidates = new Set<number>();
  for (let i = 0; i < sorted.length && candidates.size < 400; i++) {
    candidates.add(sorted[i]);
  }
  for (let rank = 400; rank < sorted.length; rank = Math.ceil(rank * 1.05)) {
    candidates.add(sorted[rank]);
  }
  let best: EventF1 = {
    f1: 0,
    falsePositives: 0,
    precision: 0,
    recall: 0,
    threshold: 1.1,
    truePositives: 0,
  };
  const prepared = files.map((f) => {
    const rows = f.scores.length;
    const probation = probationaryRows(rows);
    const inWindow = new Uint8Array(rows);
    const windows = f.windows.filter(([, b]) => b >= probation);
    const windowMax = windows.map(([a, b]) => {
      let m = 0;
      for (let i = Math.max(a, probation); i <= b; i++) {
        inWindow[i] = 1;
        m = Math.max(m, f.scores[i]);
      }
      return m;
    });
    for (const [a, b] of f.windows) {
      for (let i = a; i <= b; i++) inWindow[i] = 1;
    }
    const meanLength =
      f.windows.length > 0
        ? f.windows.reduce((n, [a, b]) => n + b - a + 1, 0) / f.windows.length
        : Math.max(1, Math.floor(rows / 10));
    return { inWindow, meanLength, probation, scores: f.scores, windowMax };
  });
  const totalEvents = prepared.reduce((n, p) => n + p.windowMax.length, 0);
  for (const t of candidates) {
    let tp = 0;
    let fp = 0;
    for (const p of prepared) {
      for (const m of p.windowMax) if (m >= t) tp++;
      let run = 0;
      for (let i = p.probation; i <= p.scores.length; i++) {
        const alarm =
          i < p.scores.length && p.inWindow[i] === 0 && p.scores[i] >= t;
        if (alarm) {
          run++;
        } else if (run > 0) {
          fp += Math.ceil(run / p.meanLength);
          run = 0;
        }
      }
    }
    const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
    const recall = totalEvents > 0 ? tp / totalEvents : 0;
    const f1 =
      precision + recall > 0
        ? (2 * precision * recall) / (precision + recall)
        : 0;
    if (f1 > best.f1) {
      best = {
        f1,
        falsePositives: fp,
        precision,
        recall,
        threshold: t,
        truePositives: tp,
      };
    }
  }
  return best;
}

/** NAB figures and event F1 of one detector on one corpus. */
export interface CorpusResult {
  readonly eventF1: EventF1;
  readonly points: number;
  readonly pointsPerWallSecond: number;
  readonly profiles: Record<
    NabProfileName,
    { score: number; threshold: number }
  >;
}

/** Scores a detector on a corpus: NAB's three profiles (exact sweep) and event F1. */
export function evaluate(
  corpus: MetricCorpus,
  make: () => PointScorer,
): CorpusResult {
  const { files, points, seconds } = scoreCorpus(corpus, make);
  const profiles = {} as CorpusResult['profiles'];
  for (const name of PROFILE_ORDER) {
    const profile = NAB_PROFILES[name];
    const { raw, threshold } = optimiseThreshold(files, profile);
    profiles[name] = {
      score: normaliseNabScore(raw, corpus.windowCount, profile),
      threshold,
    };
  }
  return {
    eventF1: eventF1(files),
    points,
    pointsPerWallSecond: points / seconds,
    profiles,
  };
}
