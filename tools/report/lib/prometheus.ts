/** A small client of the Prometheus HTTP API (instant and range queries). */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Series {
  labels: Record<string, string>;
  points: { t: Date; v: number }[];
}

interface ApiAnswer<T> {
  data?: { result: T; resultType: string };
  error?: string;
  status: 'error' | 'success';
}

export class PrometheusClient {
  constructor(private readonly baseUrl: string) {}

  private async get<T>(
    path: string,
    params: Record<string, string>,
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = (await res.json()) as ApiAnswer<T>;
    if (!res.ok || body.status !== 'success' || !body.data) {
      throw new Error(
        `Prometheus ${path} ${params.query}: ${body.error ?? `HTTP ${res.status}`}`,
      );
    }
    return body.data.result;
  }

  async query(query: string, at: Date): Promise<Sample[]> {
    const result = await this.get<
      { metric: Record<string, string>; value: [number, string] }[]
    >('/api/v1/query', {
      query,
      time: String(at.getTime() / 1000),
    });
    return result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }

  async range(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<Series[]> {
    const result = await this.get<
      { metric: Record<string, string>; values: [number, string][] }[]
    >('/api/v1/query_range', {
      end: String(end.getTime() / 1000),
      query,
      start: String(start.getTime() / 1000),
      step: `${stepSeconds}s`,
    });
    return result.map((r) => ({
      labels: r.metric,
      points: r.values
        .map(([t, v]) => ({ t: new Date(t * 1000), v: Number(v) }))
        .filter((p) => Number.isFinite(p.v)),
    }));
  }
}
