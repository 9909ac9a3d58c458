/**
 * A NAB application profile (cost matrix). The true-negative weight is not
 * used by any step of scoring and is left out.
 */
export interface NabProfile {
  /** Cost of a missed window (A_FN). */
  readonly fnWeight: number;
  /** Cost of a detection outside every window (A_FP). */
  readonly fpWeight: number;
  /** Reward of a detection at the left edge of a window (A_TP). */
  readonly tpWeight: number;
}

/** The names of NAB's three profiles. */
export type NabProfileName =
  'reward_low_FN_rate' | 'reward_low_FP_rate' | 'standard';

/**
 * NAB's three cost matrices, from `config/profiles.json`.
 *
 * @see https://github.com/numenta/NAB/blob/master/config/profiles.json
 */
export const NAB_PROFILES: Readonly<Record<NabProfileName, NabProfile>> = {
  reward_low_FN_rate: { fnWeight: 2, fpWeight: 0.11, tpWeight: 1 },
  reward_low_FP_rate: { fnWeight: 1, fpWeight: 0.22, tpWeight: 1 },
  standard: { fnWeight: 1, fpWeight: 0.11, tpWeight: 1 },
};

/** One data file as the scorer sees it. */
export interface NabFile {
  /** The detector's anomaly score per row, in [0, 1]. */
  readonly scores: ArrayLike<number>;
  /** Anomaly windows as inclusive row indices `[first, last]`, sorted, not overlapping. */
  readonly windows: readonly (readonly [number, number])[];
}

/** NAB's fixed probationary share and the row count it is capped at (0.15 · 5000). */
const PROBATION_SHARE = 0.15;
const PROBATION_CAP_ROWS = 5000;

/**
 * Rows at the start of a file that are never scored: `min(floor(0.15 n), 750)`.
 *
 * @param rows - the file's row count
 * @see https://github.com/numenta/NAB/blob/master/nab/sweeper.py (`Sweeper._getProbationaryLength`)
 */
export function probationaryRows(rows: number): number {
  return Math.min(
    Math.floor(PROBATION_SHARE * rows),
    PROBATION_SHARE * PROBATION_CAP_ROWS,
  );
}

/**
 * NAB's scaled sigmoid: `2 / (1 + exp(5y)) - 1`, and -1 past y = 3.
 *
 * @param y - relative position to a window's right edge
 * @see https://github.com/numenta/NAB/blob/master/nab/sweeper.py (`scaledSigmoid`)
 */
export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

const S_MAX = scaledSigmoid(-1);

/**
 * The sweep score σ(i) of every row: what the row would add as a detection.
 *
 * @param rows - the file's row count
 * @param windows - inclusive row-index windows, sorted
 * @param profile - the cost matrix
 * @see https://github.com/numenta/NAB/blob/master/nab/sweeper.py (`Sweeper.calcSweepScore`)
 */
export function sweepScores(
  rows: number,
  windows: readonly (readonly [number, number])[],
  profile: NabProfile,
): Float64Array {
  const sigma = new Float64Array(rows);
  let w = 0;
  let previous: readonly [number, number] | undefined;
  for (let i = 0; i < rows; i++) {
    while (w < windows.length && windows[w][1] < i) {
      previous = windows[w];
      w++;
    }
    const current = windows[w];
    if (current !== undefined && current[0] <= i && i <= current[1]) {
      const width = current[1] - current[0] + 1;
      sigma[i] =
        (profile.tpWeight * scaledSigmoid(-(current[1] - i + 1) / width)) /
        S_MAX;
    } else if (previous === undefined) {
      sigma[i] = -profile.fpWeight;
    } else {
      const width = previous[1] - previous[0] + 1;
      sigma[i] =
        profile.fpWeight * scaledSigmoid((i - previous[1]) / (width - 1));
    }
  }
  return sigma;
}

/**
 * Raw NAB score of one file at a threshold: each window scores its best
 * (earliest) detection or `-A_FN`, and each detection outside every window
 * adds its σ. Rows in the probationary period are never detections.
 *
 * @param file - the detector's scores and the labelled windows
 * @param profile - the cost matrix
 * @param threshold - a row is a detection iff its score is ≥ threshold
 * @see https://github.com/numenta/NAB/blob/master/nab/sweeper.py (`Sweeper.scoreDataSet`)
 */
export function scoreFile(
  file: NabFile,
  profile: NabProfile,
  threshold: number,
): number {
  const rows = file.scores.length;
  const probation = probationaryRows(rows);
  const sigma = sweepScores(rows, file.windows, profile);
  const inWindow = new Int32Array(rows).fill(-1);
  file.windows.forEach(([a, b], index) => {
    for (let i = a; i <= b; i++) {
      inWindow[i] = index;
    }
  });
  const best = file.windows.map(() => Number.NEGATIVE_INFINITY);
  let total = 0;
  for (let i = probation; i < rows; i++) {
    if (file.scores[i] < threshold) {
      continue;
    }
    const index = inWindow[i];
    if (index >= 0) {
      best[index] = Math.max(best[index], sigma[i]);
    } else {
      total += sigma[i];
    }
  }
  file.windows.forEach(([, b], index) => {
    if (b >= probation) {
      total +=
        best[index] === Number.NEGATIVE_INFINITY
          ? -profile.fnWeight
          : best[index];
    }
  });
  return total;
}

/**
 * The threshold that maximises the raw corpus score, by NAB's exact sweep:
 * candidates are 1.1 and every distinct score after the probationary
 * period; ties go to the highest threshold.
 *
 * @param files - every file of the corpus
 * @param profile - the cost matrix
 * @throws Error when a scored row's anomaly score is not finite
 * @see https://github.com/numenta/NAB/blob/master/nab/sweeper.py (`Sweeper.calcScoreByThreshold`) and https://github.com/numenta/NAB/blob/master/nab/optimizer.py
 */
export function optimiseThreshold(
  files: readonly NabFile[],
  profile: NabProfile,
): { raw: number; threshold: number } {
  const scores: number[] = [];
  const sigmas: number[] = [];
  const windowIds: number[] = [];
  let windowCount = 0;
  for (const file of files) {
    const rows = file.scores.length;
    const probation = probationaryRows(rows);
    const sigma = sweepScores(rows, file.windows, profile);
    const inWindow = new Int32Array(rows).fill(-1);
    for (const [a, b] of file.windows) {
      if (b >= probation) {
        for (let i = a; i <= b; i++) {
          inWindow[i] = windowCount;
        }
        windowCount++;
      }
    }
    for (let i = probation; i < rows; i++) {
      if (!Number.isFinite(file.scores[i])) {
        throw new Error(`anomaly score at row ${i} is not a finite number`);
      }
      scores.push(file.scores[i]);
      sigmas.push(sigma[i]);
      windowIds.push(inWindow[i]);
    }
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const windowBest = new Float64Array(windowCount).fill(Number.NaN);
  let missed = windowCount;
  let windowSum = 0;
  let fpSum = 0;
  const fn = profile.fnWeight;
  let bestRaw = -fn * windowCount;
  let bestThreshold = 1.1;
  for (let k = 0; k < order.length;) {
    const value = scores[order[k]];
    while (k < order.length && scores[order[k]] === value) {
      const row = order[k];
      const id = windowIds[row];
      if (id < 0) {
        fpSum += sigmas[row];
      } else if (Number.isNaN(windowBest[id])) {
        windowBest[id] = sigmas[row];
        windowSum += sigmas[row];
        missed--;
      } else if (sigmas[row] > windowBest[id]) {
        windowSum += sigmas[row] - windowBest[id];
        windowBest[id] = sigmas[row];
      }
      k++;
    }
    const raw = windowSum - fn * missed + fpSum;
    if (raw > bestRaw) {
      bestRaw = raw;
      bestThreshold = value;
    }
  }
  return { raw: bestRaw, threshold: bestThreshold };
}

/**
 * NAB's 0–100 normalisation: null detector 0, perfect detector 100.
 *
 * @param raw - raw corpus score
 * @param windowCount - number of labelled windows in the corpus (116 in NAB v1)
 * @param profile - the cost matrix
 * @see https://github.com/numenta/NAB/blob/master/nab/runner.py (the normalisation step: null detector 0, perfect 100)
 */
export function normaliseNabScore(
  raw: number,
  windowCount: number,
  profile: NabProfile,
): number {
  const perfect = windowCount * profile.tpWeight;
  const nullScore = -profile.fnWeight * windowCount;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}

/**
 * Parses a NAB CSV (`timestamp,value[,anomaly_score,...]`, no quoting).
 *
 * @param text - the file's content
 * @returns timestamps as written, values, and anomaly scores when present
 */
export function parseNabCsv(text: string): {
  scores: number[] | undefined;
  timestamps: string[];
  values: number[];
} {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0].split(',');
  const scoreColumn = header.indexOf('anomaly_score');
  const valueColumn = header.indexOf('value');
  const timestamps: string[] = [];
  const values: number[] = [];
  const scores: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    timestamps.push(cells[0]);
    values.push(Number(cells[valueColumn]));
    if (scoreColumn >= 0) {
      scores.push(Number(cells[scoreColumn]));
    }
  }
  return { scores: scoreColumn >= 0 ? scores : undefined, timestamps, values };
}

/**
 * Turns NAB label windows (timestamp strings, `.ffffff` allowed) into
 * inclusive row indices by exact timestamp lookup.
 *
 * @param timestamps - the file's timestamps, `YYYY-MM-DD HH:MM:SS`
 * @param windows - `[start, end]` timestamp pairs from `combined_windows.json`
 * @throws Error when a window edge is not a row's timestamp
 */
export function windowsToRows(
  timestamps: readonly string[],
  windows: readonly (readonly [string, string])[],
): [number, number][] {
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const row = (t: string): number => {
    const i = index.get(t.replace(/\.\d+$/, ''));
    if (i === undefined) {
      throw new Error(`window edge ${t} is not a row timestamp`);
    }
    return i;
  };
  return windows.map(([start, end]) => [row(start), row(end)]);
}
