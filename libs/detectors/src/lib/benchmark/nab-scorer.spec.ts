import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  NAB_PROFILES,
  normaliseNabScore,
  optimiseThreshold,
  parseNabCsv,
  probationaryRows,
  scaledSigmoid,
  scoreFile,
  sweepScores,
  windowsToRows,
} from './nab-scorer';
import type { NabFile, NabProfileName } from './nab-scorer';

// CI checks out shared/ beside the clone: <repo>/../shared/datasets.
const REPO_ROOT = resolve(__dirname, '../../../../..');
const NAB_ROOT = resolve(REPO_ROOT, '../shared/datasets/nab');

function loadSkyline(): NabFile[] {
  if (!existsSync(join(NAB_ROOT, 'published-results/skyline'))) {
    throw new Error(
      `NAB data not found at ${NAB_ROOT}: the skyline reproduction needs ../shared/datasets/nab beside the repository`,
    );
  }
  const windows = JSON.parse(
    readFileSync(join(NAB_ROOT, 'labels/combined_windows.json'), 'utf8'),
  ) as Record<string, [string, string][]>;
  return Object.entries(windows).map(([key, fileWindows]) => {
    const [category, name] = key.split('/');
    const path = join(
      NAB_ROOT,
      'published-results/skyline',
      category,
      `skyline_${name}`,
    );
    const parsed = parseNabCsv(readFileSync(path, 'utf8'));
    if (parsed.scores === undefined) {
      throw new Error(`${path} has no anomaly_score column`);
    }
    return {
      scores: parsed.scores,
      windows: windowsToRows(parsed.timestamps, fileWindows),
    };
  });
}

describe('NAB scorer', () => {
  describe('scaledSigmoid', () => {
    it('matches the reference values of the spec', () => {
      expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
      expect(scaledSigmoid(-0.5)).toBeCloseTo(0.848284, 6);
      expect(scaledSigmoid(0)).toBe(0);
      expect(scaledSigmoid(3)).toBeCloseTo(-0.999999, 6);
      expect(scaledSigmoid(3.01)).toBe(-1);
    });
  });

  describe('probationaryRows', () => {
    it('takes 15 % of short files and caps long files at 750 rows', () => {
      expect(probationaryRows(1000)).toBe(150);
      expect(probationaryRows(4032)).toBe(604);
      expect(probationaryRows(22695)).toBe(750);
    });
  });

  describe('sweepScores', () => {
    it('rewards the left edge of a window fully and charges a full FP before any window', () => {
      const sigma = sweepScores(20, [[10, 14]], NAB_PROFILES.standard);
      expect(sigma[0]).toBeCloseTo(-0.11, 12);
      expect(sigma[10]).toBeCloseTo(1, 12);
      expect(sigma[14]).toBeGreaterThan(0);
      expect(sigma[14]).toBeLessThan(sigma[10]);
      expect(sigma[15]).toBeLessThan(0);
      expect(sigma[15]).toBeGreaterThan(-0.11);
    });
  });

  describe('scoreFile', () => {
    it('counts only the earliest detection of a window and charges each false positive', () => {
      const scores = new Array<number>(100).fill(0);
      scores[60] = 1;
      scores[62] = 1;
      scores[20] = 1;
      scores[25] = 1;
      const file: NabFile = { scores, windows: [[60, 69]] };
      const sigma = sweepScores(100, file.windows, NAB_PROFILES.standard);
      expect(scoreFile(file, NAB_PROFILES.standard, 0.5)).toBeCloseTo(
        sigma[60] - 0.22,
        12,
      );
    });

    it('ignores detections in the probationary period and charges a missed window', () => {
      const scores = new Array<number>(100).fill(0);
      scores[5] = 1;
      const file: NabFile = { scores, windows: [[60, 69]] };
      expect(scoreFile(file, NAB_PROFILES.reward_low_FN_rate, 0.5)).toBe(-2);
    });
  });

  describe('published skyline results', () => {
    const files = loadSkyline();
    const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
    const published: Record<
      NabProfileName,
      { final: number; threshold: number }
    > = {
      reward_low_FN_rate: {
        final: 44.481017342989,
        threshold: 0.8031250000000002,
      },
      reward_low_FP_rate: {
        final: 27.081210059698,
        threshold: 0.8996093750000005,
      },
      standard: { final: 35.687043255862, threshold: 0.8031250000000002 },
    };

    it('reads the 116 labelled windows', () => {
      expect(windowCount).toBe(116);
    });

    it.each(Object.keys(published) as NabProfileName[])(
      'reproduces the published %s score at the published threshold',
      (name) => {
        const profile = NAB_PROFILES[name];
        const raw = files.reduce(
          (sum, file) =>
            sum + scoreFile(file, profile, published[name].threshold),
          0,
        );
        const score = normaliseNabScore(raw, windowCount, profile);
        expect(score.toFixed(2)).toBe(published[name].final.toFixed(2));
        expect(score).toBeCloseTo(published[name].final, 8);
      },
    );

    it('finds by exact sweep the same raw standard score as the published threshold', () => {
      const profile = NAB_PROFILES.standard;
      const { raw } = optimiseThreshold(files, profile);
      expect(normaliseNabScore(raw, windowCount, profile)).toBeCloseTo(
        35.687043255862,
        8,
      );
    });
  });
});
