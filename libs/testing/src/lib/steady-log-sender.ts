import { waitFor } from './wait-for';

/** Options of {@link SteadyLogSender}. */
export interface SteadyLogSenderOptions {
  /** Pause between two posts, ms. @default 200 */
  intervalMs?: number;
  /** Records per post. @default 5 */
  perBatch?: number;
  /** `service.name` of the records. */
  service: string;
  /** The ingest's base URL (read before each post, so it may change). */
  target: () => string;
  /** Bearer token of a source the ingest accepts. */
  token: string;
}

/**
 * A steady OTLP/JSON log sender for fault tests: every `intervalMs` it posts `perBatch`
 * records with increasing `seq` attributes and remembers which were acknowledged (200).
 * A record that was not acknowledged is not retried (a real sender would; the tests only
 * hold the ingest to what it acknowledged).
 */
export class SteadyLogSender {
  /** Sequence numbers the ingest acknowledged. */
  readonly acked = new Set<number>();
  /** Posts that were not acknowledged (status or error), for diagnostics. */
  readonly failures = new Map<string, number>();
  private loop?: Promise<void>;
  private running = false;
  private seq = 0;

  constructor(private readonly options: SteadyLogSenderOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { intervalMs = 200, perBatch = 5, service, target, token } =
      this.options;
    this.loop = (async () => {
      while (this.running) {
        const seqs = Array.from({ length: perBatch }, () => this.seq++);
        try {
          const res = await fetch(`${target()}/v1/logs`, {
            body: JSON.stringify(logsBody(service, seqs)),
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
            },
            method: 'POST',
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) seqs.forEach((s) => this.acked.add(s));
          else this.countFailure(`HTTP ${res.status}`);
        } catch (err) {
          this.countFailure((err as Error).name);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves once `n` more records have been acknowledged than when it was called. */
  async waitForMoreAcks(n: number, timeoutMs = 60_000): Promise<void> {
    const target = this.acked.size + n;
    await waitFor(() => this.acked.size >= target, {
      description: `${n} more acknowledged records (failures so far: ${JSON.stringify([...this.failures])})`,
      intervalMs: 200,
      timeoutMs,
    });
  }

  private countFailure(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }
}

function logsBody(service: string, seqs: number[]): object {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: service } }],
        },
        scopeLogs: [
          {
            logRecords: seqs.map((s) => ({
              attributes: [{ key: 'seq', value: { stringValue: String(s) } }],
              body: { stringValue: 'steady record' },
              severityNumber: 9,
              severityText: 'INFO',
              timeUnixNano: String(
                BigInt(1_700_000_000_000 + s) * 1_000_000n,
              ),
            })),
            scope: { name: 'steady-log-sender' },
          },
        ],
      },
    ],
  };
}

/** Acknowledged records missing from, and records found more than once in, an index. */
export interface DeliveryAudit {
  /** `seq`s indexed more than once, with their counts. */
  duplicated: [number, number][];
  /** Acknowledged `seq`s not indexed. */
  missing: number[];
}

/**
 * Compares the `seq`s acknowledged so far (a snapshot: a sender may go on) with the `seq`s
 * indexed (as returned by `indexed`), waiting up to `timeoutMs` for every one to appear.
 */
export async function auditDelivery(
  ackedSoFar: ReadonlySet<number>,
  indexed: () => Promise<number[]>,
  timeoutMs = 150_000,
): Promise<DeliveryAudit> {
  const acked = new Set(ackedSoFar);
  let seqs: number[] = [];
  await waitFor(
    async () => {
      seqs = await indexed();
      const found = new Set(seqs);
      return [...acked].every((s) => found.has(s));
    },
    {
      description: `all ${acked.size} acknowledged records indexed`,
      intervalMs: 1_000,
      timeoutMs,
    },
  ).catch(() => undefined);
  const counts = new Map<number, number>();
  for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
  return {
    duplicated: [...counts].filter(([, n]) => n > 1),
    missing: [...acked].filter((s) => !counts.has(s)),
  };
}
