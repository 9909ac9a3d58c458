import { type FakeProviderServer } from '@freeride/market-fakes';

/**
 * Steady quote requests spread over several market gateway instances, each for a symbol not
 * asked before (so each may cost a provider call): the load under which the gateways' shared
 * budget must hold.
 */
export class QuoteLoad {
  /** Answers by HTTP status (0: no answer, e.g. the instance is down). */
  readonly statuses = new Map<number, number>();
  private loop?: Promise<void>;
  private n = 0;
  private running = false;

  constructor(
    private readonly gateways: () => string[],
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const urls = this.gateways();
        const url = urls[this.n % urls.length];
        const symbol = `Q${String(this.n++).padStart(4, '0')}X`;
        let status = 0;
        try {
          const res = await fetch(`${url}/v1/quotes/${symbol}`, {
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = 0;
        }
        this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Quotes served so far. */
  get served(): number {
    return this.statuses.get(200) ?? 0;
  }
}

/** Each provider fake's calls beyond its plan (the gateways together must keep them at 0). */
export function overPlan(
  fakes: readonly FakeProviderServer[],
): Record<string, number> {
  return Object.fromEntries(fakes.map((f) => [f.name, f.overLimitCalls]));
}
