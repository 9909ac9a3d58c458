import { TemplateMiner } from '@freeride/detectors';
import type { TemplateMinerOptions } from '@freeride/detectors';

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import {
  LOGHUB_DATASETS,
  scoreAssignments,
  scoreDataset,
} from './loghub-bench';
import type { LoadedDataset, LoghubResult } from './loghub-bench';

/**
 * The two fixed halves of Loghub-2k's 16 systems: the first and the last
 * eight of the logparser table order. Fixed before any scoring.
 */
export const HALVES: Readonly<Record<'A' | 'B', readonly string[]>> = {
  A: LOGHUB_DATASETS.slice(0, 8),
  B: LOGHUB_DATASETS.slice(8),
};

/** TemplateMiner configurations the split chooses from (on the tuning half only). */
export const MINER_GRID: readonly TemplateMinerOptions[] = [2, 3, 4, 5].flatMap(
  (variableThreshold) =>
    [0, 0.2].map((variableRatio) => ({ variableRatio, variableThreshold })),
);

/** Drain3 configurations the split chooses from (on the tuning half only). */
export const DRAIN3_GRID: readonly Drain3Config[] = [
  0.3, 0.4, 0.5, 0.6, 0.7,
].flatMap((sim_th) =>
  [false, true].map((masks) => ({ depth: 4, masks, sim_th })),
);

/** One Drain3 configuration. */
export interface Drain3Config {
  readonly depth: number;
  readonly masks: boolean;
  readonly sim_th: number;
}

/** Per-configuration results of one parser over all 16 datasets. */
interface GridResults<C> {
  readonly config: C;
  readonly results: Record<string, LoghubResult>;
}

const mean = (xs: readonly number[]): number =>
  xs.reduce((a, b) => a + b, 0) / xs.length;

/** Average GA / PA of a grid entry over a half. */
export function halfAverages(
  results: Record<string, LoghubResult>,
  half: readonly string[],
): { gaCorrected: number; gaOriginal: number; paCorrected: number } {
  const rs = half.map((d) => results[d]);
  return {
    gaCorrected: mean(rs.map((r) => r.corrected.ga)),
    gaOriginal: mean(rs.map((r) => r.original.ga)),
    paCorrected: mean(rs.map((r) => r.corrected.pa)),
  };
}

/** Runs every TemplateMiner configuration of the grid over every dataset. */
export function runMinerGrid(
  datasets: readonly LoadedDataset[],
): GridResults<TemplateMinerOptions>[] {
  return MINER_GRID.map((config) => ({
    config,
    results: Object.fromEntries(
      datasets.map((d) => [
        d.name,
        scoreDataset(d, () => new TemplateMiner(config)),
      ]),
    ),
  }));
}

/**
 * The bench-local venv with Drain3 (created on the first run from
 * `drain3/requirements.txt`); returns its python or why it is not there.
 */
export function ensureDrain3(): { python: string } | { missing: string } {
  const cache =
    process.env.FREERIDE_CACHE ?? join(homedir(), '.cache/freeride');
  const venv = join(cache, 'venv-drain3');
  const python = join(venv, 'bin/python');
  const requirements = join(__dirname, 'drain3/requirements.txt');
  try {
    if (!existsSync(python)) {
      execFileSync('python3', ['-m', 'venv', venv], { stdio: 'ignore' });
    }
    execFileSync(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '-r',
        requirements,
      ],
      { stdio: 'ignore' },
    );
    return { python };
  } catch (error) {
    return {
      missing: `Drain3 venv could not be set up (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

/** Runs every Drain3 configuration of the grid over every dataset (one Python process). */
export function runDrain3Grid(
  python: string,
  datasets: readonly LoadedDataset[],
): {
  grid: GridResults<Drain3Config>[];
  linesPerCpuSecond: number;
} {
  const request = JSON.stringify({
    configs: DRAIN3_GRID,
    datasets: Object.fromEntries(datasets.map((d) => [d.name, d.contents])),
  });
  const run = spawnSync(python, [join(__dirname, 'drain3/drain3_peer.py')], {
    encoding: 'utf8',
    input: request,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(`drain3_peer.py failed: ${run.stderr}`);
  }
  const out = JSON.parse(run.stdout) as {
    lines_per_second: number;
    results: {
      config: Drain3Config;
      datasets: Record<string, { ids: string[]; templates: string[] }>;
    }[];
  };
  return {
    grid: out.results.map((r) => ({
      config: r.config,
      results: Object.fromEntries(
        datasets.map((d) => [
          d.name,
          scoreAssignments(
            d,
            r.datasets[d.name].ids,
            r.datasets[d.name].templates,
            0,
          ),
        ]),
      ),
    })),
    linesPerCpuSecond: out.lines_per_second,
  };
}

/** One direction of the split for one parser: the configuration chosen on the tuning half. */
export interface SplitOutcome<C> {
  readonly chosen: C;
  readonly heldOut: ReturnType<typeof halfAverages>;
  readonly heldOutPerDataset: Record<string, number>;
  readonly tuned: ReturnType<typeof halfAverages>;
}

/**
 * Chooses the configuration with the best average GA (original GT) on the
 * tuning half (ties: the first in grid order) and reports both halves.
 */
export function split<C>(
  grid: readonly GridResults<C>[],
  tuneOn: readonly string[],
  reportOn: readonly string[],
): SplitOutcome<C> {
  let best = grid[0];
  for (const g of grid) {
    if (
      halfAverages(g.results, tuneOn).gaOriginal >
      halfAverages(best.results, tuneOn).gaOriginal
    ) {
      best = g;
    }
  }
  return {
    chosen: best.config,
    heldOut: halfAverages(best.results, reportOn),
    heldOutPerDataset: Object.fromEntries(
      reportOn.map((d) => [d, best.results[d].original.ga]),
    ),
    tuned: halfAverages(best.results, tuneOn),
  };
}
