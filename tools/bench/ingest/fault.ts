/**
 * The fault part of bench:ingest: the same steady stream to each receiver
 * while its Elasticsearch is stopped, then acknowledged vs indexed, record by
 * record, split by when each record was sent (before the stop, during the
 * outage, after Elasticsearch answered again), with what the receiver logged.
 */
import { startElasticsearch, stopElasticsearch } from '@freeride/testing';

import type { Client } from '@elastic/elasticsearch';
import { readFileSync } from 'node:fs';

import { searchableCount, traceIdCounts, untilSearchable } from './es-probes';
import type { Receiver } from './peers';
import { logsBody, postOtlp } from './workload';

export interface FaultOptions {
  esUrl: string;
  /** How long Elasticsearch stays stopped. */
  downSeconds: number;
  /** How long the stream lasts. */
  streamSeconds: number;
  /** When, into the stream, Elasticsearch is stopped. */
  stopAfterSeconds: number;
  /** After the stream and the outage: give up once nothing more is indexed for this long. */
  settleSeconds: number;
}

export type Phase = 'before' | 'outage' | 'after';

export interface FaultFigures {
  acknowledged: number;
  duplicated: number;
  indexed: number;
  missing: number;
  refused: number;
  /** From the stop until Elasticsearch answered again. */
  outageSeconds: number;
  /** Acknowledged and indexed records by when they were sent. */
  byPhase: Record<Phase, { acknowledged: number; indexed: number }>;
  /**
   * What the receiver logged: error and warning lines, the first distinct
   * ones, when the first error came (seconds after the stop), and the
   * records its queue reported dropping (the Collector's `dropped_items`).
   */
  receiverLog: {
    dropped: number;
    errors: number;
    firstErrorAfterStopSeconds?: number;
    samples: string[];
    warnings: number;
  };
}

const REQUESTS_PER_SECOND = 20;
const RECORDS_PER_REQUEST = 50;

/**
 * Error and warning lines of a receiver's log: the Collector's console
 * format (`<ISO time>\t<level>\t<caller>\t<message>\t<JSON fields>`, with
 * `dropped_items` when its queue drops data) or our JSON lines.
 */
function logEvidence(
  file: string,
  stopWallMs: number,
): FaultFigures['receiverLog'] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { dropped: 0, errors: 0, samples: [], warnings: 0 };
  }
  let errors = 0;
  let warnings = 0;
  let dropped = 0;
  let firstError: number | undefined;
  const samples = new Map<string, string>();
  for (const line of text.split('\n')) {
    let level = '';
    let time = NaN;
    let message = '';
    if (line.startsWith('{')) {
      try {
        const json = JSON.parse(line) as {
          level?: number;
          msg?: string;
          time?: number;
        };
        const n = json.level ?? 0;
        level = n >= 50 ? 'error' : n >= 40 ? 'warn' : '';
        time = json.time ?? NaN;
        message = json.msg ?? '';
      } catch {
        continue;
      }
    } else {
      const parts = line.split('\t');
      if (parts.length < 4 || !/^(error|warn)$/.test(parts[1])) continue;
      level = parts[1];
      time = Date.parse(parts[0]);
      const fields = parts[4] ?? '';
      const reason = /"error": "([^"]*)"/.exec(fields)?.[1];
      message = `${parts[3]}${reason ? ` (${reason})` : ''}`;
      dropped += Number(/"dropped_items": (\d+)/.exec(fields)?.[1] ?? 0);
    }
    if (!level) continue;
    if (level === 'error') {
      errors++;
      firstError ??= time;
    } else warnings++;
    const key = message.replace(/[0-9]+/g, '#').slice(0, 80);
    if (samples.size < 4 && !samples.has(key))
      samples.set(key, `${level}: ${message.slice(0, 240)}`);
  }
  return {
    dropped,
    errors,
    firstErrorAfterStopSeconds:
      firstError !== undefined && Number.isFinite(firstError)
        ? +((firstError - stopWallMs) / 1000).toFixed(1)
        : undefined,
    samples: [...samples.values()],
    warnings,
  };
}

/**
 * A steady stream (20 requests of 50 records a second) for `streamSeconds`,
 * with Elasticsearch stopped `stopAfterSeconds` in for `downSeconds`; then
 * counts what was acknowledged and what Elasticsearch holds, record by record
 * (each record has its own trace id).
 */
export async function faultRun(
  es: Client,
  receiver: Receiver,
  index: string,
  traceField: string,
  tag: string,
  opts: FaultOptions,
): Promise<FaultFigures> {
  const acked: { id: string; sentAt: number }[] = [];
  let refused = 0;
  // One record first, so that the data stream exists and the receiver is
  // connected before the stream starts (as in the throughput runs).
  await postOtlp(
    receiver,
    logsBody(0, 1, `fault-${tag}`, [`${tag}`.padStart(32, 'f')]),
  );
  await untilSearchable(es, index, 1, 120_000);
  let stopAt = Infinity;
  let stopWallMs = Infinity;
  let upAt = Infinity;
  const outageDone = (async () => {
    await sleep(opts.stopAfterSeconds * 1000);
    stopAt = performance.now();
    stopWallMs = Date.now();
    await stopElasticsearch({ url: opts.esUrl });
    await sleep(opts.downSeconds * 1000);
    await startElasticsearch({ url: opts.esUrl });
    upAt = performance.now();
  })();
  const sends: Promise<void>[] = [];
  const t0 = performance.now();
  const requests = REQUESTS_PER_SECOND * opts.streamSeconds;
  for (let i = 0; i < requests; i++) {
    const wait = t0 + (i * 1000) / REQUESTS_PER_SECOND - performance.now();
    if (wait > 0) await sleep(wait);
    const ids = Array.from({ length: RECORDS_PER_REQUEST }, (_, j) =>
      `${tag}${(i * RECORDS_PER_REQUEST + j).toString(16).padStart(8, '0')}`.padStart(
        32,
        '0',
      ),
    );
    const sentAt = performance.now();
    sends.push(
      postOtlp(
        receiver,
        logsBody(i, RECORDS_PER_REQUEST, `fault-${tag}`, ids),
      ).then((status) => {
        if (status === 200) for (const id of ids) acked.push({ id, sentAt });
        else refused += RECORDS_PER_REQUEST;
      }),
    );
  }
  await Promise.all(sends);
  await outageDone;
  // Wait until what was acknowledged is searchable, or nothing more arrives for settleSeconds.
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const n = await searchableCount(es, index);
    if (n >= acked.length + 1) break;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > opts.settleSeconds * 1000) break;
    await sleep(1_000);
  }
  const counts = await traceIdCounts(es, index, traceField);
  let duplicated = 0;
  for (const c of counts.values()) if (c > 1) duplicated += c - 1;
  // (The priming record is neither acknowledged in `acked` nor counted below.)
  const byPhase: FaultFigures['byPhase'] = {
    after: { acknowledged: 0, indexed: 0 },
    before: { acknowledged: 0, indexed: 0 },
    outage: { acknowledged: 0, indexed: 0 },
  };
  let missing = 0;
  for (const { id, sentAt } of acked) {
    const phase: Phase =
      sentAt < stopAt ? 'before' : sentAt < upAt ? 'outage' : 'after';
    byPhase[phase].acknowledged++;
    if (counts.has(id)) byPhase[phase].indexed++;
    else missing++;
  }
  return {
    acknowledged: acked.length,
    byPhase,
    duplicated,
    indexed: acked.length - missing,
    missing,
    outageSeconds: +((upAt - stopAt) / 1000).toFixed(1),
    receiverLog: logEvidence(receiver.logFile, stopWallMs),
    refused,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
