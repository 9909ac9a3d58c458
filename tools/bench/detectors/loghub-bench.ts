import { parsingMetrics } from '@freeride/detectors';
import type { ParsingMetrics } from '@freeride/detectors';

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { readCsv } from './csv';

/** The 16 Loghub-2k datasets, in the order of the logparser tables. */
export const LOGHUB_DATASETS = [
  'HDFS',
  'Hadoop',
  'Spark',
  'Zookeeper',
  'BGL',
  'HPC',
  'Thunderbird',
  'Windows',
  'Linux',
  'Android',
  'HealthApp',
  'Apache',
  'Proxifier',
  'OpenSSH',
  'OpenStack',
  'Mac',
] as const;

/** Drain's published GA on the original GT (logparser README / ICSE'19). */
export const DRAIN_GA: Readonly<Record<string, number>> = {
  Android: 0.911,
  Apache: 1.0,
  BGL: 0.9625,
  HDFS: 0.9975,
  HPC: 0.887,
  Hadoop: 0.9475,
  HealthApp: 0.78,
  Linux: 0.69,
  Mac: 0.7865,
  OpenSSH: 0.7875,
  OpenStack: 0.7325,
  Proxifier: 0.5265,
  Spark: 0.92,
  Thunderbird: 0.955,
  Windows: 0.997,
  Zookeeper: 0.9665,
};

/** A parser under test: one instance per dataset. */
export interface BenchParser {
  add(message: string): { templateId: string };
  resolve(templateId: string): string;
  templateOf(templateId: string): string | undefined;
}

/** Scores of one parser on one dataset. */
export interface LoghubResult {
  readonly corrected: ParsingMetrics;
  readonly dataset: string;
  readonly lines: number;
  readonly original: ParsingMetrics;
  readonly seconds: number;
}

export interface LoadedDataset {
  readonly contents: string[];
  readonly corrected: { group: string; template: string }[];
  readonly name: string;
  readonly original: { group: string; template: string }[];
}

/**
 * Loads one dataset: Content from the original structured CSV, GT from the
 * original and the corrected CSV, both joined by LineId.
 */
export function loadDataset(root: string, name: string): LoadedDataset {
  const base = join(root, name, `${name}_2k.log_structured`);
  const original = readCsv(`${base}.csv`);
  const corrected = new Map(
    readCsv(`${base}_corrected.csv`).map((row) => [row.LineId, row]),
  );
  return {
    contents: original.map((row) => row.Content),
    corrected: original.map((row) => {
      const c = corrected.get(row.LineId);
      if (c === undefined) {
        throw new Error(
          `${name}: LineId ${row.LineId} missing in corrected GT`,
        );
      }
      return { group: c.EventId, template: c.EventTemplate };
    }),
    name,
    original: original.map((row) => ({
      group: row.EventId,
      template: row.EventTemplate,
    })),
  };
}

/** Runs a fresh parser over one dataset and scores it against both GTs. */
export function scoreDataset(
  data: LoadedDataset,
  makeParser: () => BenchParser,
): LoghubResult {
  const parser = makeParser();
  const start = process.hrtime.bigint();
  const ids = data.contents.map((content) => parser.add(content).templateId);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const finalIds = ids.map((id) => parser.resolve(id));
  const templates = finalIds.map((id) => parser.templateOf(id) ?? '');
  return scoreAssignments(data, finalIds, templates, seconds);
}

/**
 * Scores a parser's final assignment of every line (group id and template
 * string, in line order) against both GTs: the same scoring for every peer.
 */
export function scoreAssignments(
  data: LoadedDataset,
  groups: readonly string[],
  templates: readonly string[],
  seconds: number,
): LoghubResult {
  if (groups.length !== data.contents.length) {
    throw new Error(
      `${data.name}: ${groups.length} assignments for ${data.contents.length} lines`,
    );
  }
  const score = (gt: { group: string; template: string }[]): ParsingMetrics =>
    parsingMetrics(
      gt.map((g, i) => ({
        gtGroup: g.group,
        gtTemplate: g.template,
        predictedGroup: groups[i],
        predictedTemplate: templates[i],
      })),
    );
  return {
    corrected: score(data.corrected),
    dataset: data.name,
    lines: data.contents.length,
    original: score(data.original),
    seconds,
  };
}

/** Checks that the datasets are where the bench expects them. */
export function assertLoghub(root: string): void {
  if (!existsSync(join(root, 'HDFS'))) {
    throw new Error(`Loghub-2k not found under ${root}`);
  }
}
