import {
  NAB_PROFILES,
  normaliseNabScore,
  optimiseThreshold,
  parseNabCsv,
  windowsToRows,
} from '@freeride/detectors';
import type { NabFile, NabProfileName } from '@freeride/detectors';

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A streaming scorer of one series: fresh instance per file. */
export interface PointScorer {
  update(timestampMs: number, value: number): { score: number };
}

/** One NAB data file, loaded. */
export interface NabSeries {
  readonly key: string;
  readonly timestamps: string[];
  readonly timestampsMs: Float64Array;
  readonly values: number[];
  readonly windows: [number, number][];
}

/** Published scoreboard rows shown beside ours (SCORING.md §9). */
export const NAB_SCOREBOARD: readonly [string, number, number, number][] = [
  ['ARTime', 74.854, 65.154, 80.362],
  ['numenta (HTM)', 70.101, 63.117, 74.32],
  ['contextOSE', 69.9, 66.977, 73.182],
  ['windowedGaussian', 39.65, 20.868, 47.41],
  ['skyline', 35.687, 27.081, 44.481],
];

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

/** Loads the 58 NAB series and their windows. */
export function loadNab(root: string): NabSeries[] {
  const windows = JSON.parse(
    readFileSync(join(root, 'labels/combined_windows.json'), 'utf8'),
  ) as Record<string, [string, string][]>;
  return Object.keys(windows)
    .sort()
    .map((key) => {
      const parsed = parseNabCsv(readFileSync(join(root, 'data', key), 'utf8'));
      return {
        key,
        timestamps: parsed.timestamps,
        timestampsMs: Float64Array.from(parsed.timestamps, parseTimestamp),
        values: parsed.values,
        windows: windowsToRows(parsed.timestamps, windows[key]),
      };
    });
}

/** NAB result of one detector: normalised score per profile, throughput. */
export interface NabResult {
  readonly points: number;
  readonly pointsPerSecond: number;
  readonly profiles: Record<
    NabProfileName,
    { score: number; threshold: number }
  >;
}

/**
 * Runs a detector over every series, optionally writes NAB's per-file result
 * CSVs (`<out>/<detector>/<category>/<detector>_<name>.csv`), and scores it
 * with the exact threshold sweep in each profile.
 */
export function runNab(
  series: readonly NabSeries[],
  name: string,
  makeScorer: () => PointScorer,
  outDir?: string,
): NabResult {
  const files: NabFile[] = [];
  let points = 0;
  let seconds = 0;
  for (const s of series) {
    const scorer = makeScorer();
    const scores = new Float64Array(s.values.length);
    const start = process.hrtime.bigint();
    for (let i = 0; i < s.values.length; i++) {
      scores[i] = scorer.update(s.timestampsMs[i], s.values[i]).score;
    }
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
    points += s.values.length;
    files.push({ scores, windows: s.windows });
    if (outDir !== undefined) {
      const [category, file] = s.key.split('/');
      const path = join(outDir, name, category, `${name}_${file}`);
      mkdirSync(dirname(path), { recursive: true });
      const lines = ['timestamp,value,anomaly_score'];
      for (let i = 0; i < s.values.length; i++) {
        lines.push(`${s.timestamps[i]},${s.values[i]},${scores[i]}`);
      }
      writeFileSync(path, `${lines.join('\n')}\n`);
    }
  }
  const windowCount = series.reduce((n, s) => n + s.windows.length, 0);
  const profiles = {} as Record<
    NabProfileName,
    { score: number; threshold: number }
  >;
  for (const profileName of PROFILE_ORDER) {
    const profile = NAB_PROFILES[profileName];
    const { raw, threshold } = optimiseThreshold(files, profile);
    profiles[profileName] = {
      score: normaliseNabScore(raw, windowCount, profile),
      threshold,
    };
  }
  return { points, pointsPerSecond: points / seconds, profiles };
}
