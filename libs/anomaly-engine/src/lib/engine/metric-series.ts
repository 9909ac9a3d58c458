import { MetricDetector, evictLru, touchLru } from '@freeride/detectors';
import type { MetricScore } from '@freeride/detectors';

import type { ChartPoint } from '../chart/anomaly-chart';

/** Options of {@link MetricSeriesRegistry}. */
export interface MetricSeriesRegistryOptions {
  /** Points kept per series for its chart (a ring; memory per series is constant). */
  readonly chartPoints: number;
  /** Points a new series learns from before it is scored. */
  readonly learningPoints: number;
  /** Most series tracked; the least recently updated is forgotten. */
  readonly maxSeries: number;
  /** Score from which a point is drawn as anomalous. */
  readonly minScore: number;
}

/** A series' detector and the ring of its last points. */
class MetricSeries {
  readonly detector: MetricDetector;
  private next = 0;
  private size = 0;
  private readonly ts: Float64Array;
  private readonly values: Float64Array;
  private readonly lows: Float64Array;
  private readonly highs: Float64Array;
  private readonly anomalous: Uint8Array;

  constructor(learningPoints: number, capacity: number) {
    this.detector = new MetricDetector({ learningPoints });
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.lows = new Float64Array(capacity);
    this.highs = new Float64Array(capacity);
    this.anomalous = new Uint8Array(capacity);
  }

  push(
    ts: number,
    value: number,
    result: MetricScore,
    anomalous: boolean,
  ): void {
    const i = this.next;
    this.ts[i] = ts;
    this.values[i] = value;
    this.lows[i] = result.expected.low;
    this.highs[i] = result.expected.high;
    this.anomalous[i] = anomalous ? 1 : 0;
    this.next = (i + 1) % this.ts.length;
    this.size = Math.min(this.size + 1, this.ts.length);
  }

  points(): ChartPoint[] {
    const out: ChartPoint[] = [];
    const capacity = this.ts.length;
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + capacity) % capacity;
      out.push({
        anomalous: this.anomalous[i] === 1,
        high: this.highs[i],
        low: this.lows[i],
        timestampMs: this.ts[i],
        value: this.values[i],
      });
    }
    return out;
  }
}

/**
 * The metric series of one engine: one streaming detector per series and a
 * ring of its last points for the chart of an anomaly. Bounded: past
 * `maxSeries` the least recently updated series is forgotten.
 */
export class MetricSeriesRegistry {
  private readonly series = new Map<string, MetricSeries>();

  constructor(private readonly options: MetricSeriesRegistryOptions) {}

  /** Scores one point of a series and remembers it for the chart. */
  observe(key: string, ts: number, value: number): MetricScore {
    const s =
      this.series.get(key) ??
      new MetricSeries(this.options.learningPoints, this.options.chartPoints);
    // most recently updated last: the first key is the eviction candidate
    touchLru(this.series, key, s);
    evictLru(this.series, this.options.maxSeries);
    const result = s.detector.update(ts, value);
    s.push(ts, value, result, result.score >= this.options.minScore);
    return result;
  }

  /** The last points of a series (oldest first), or undefined when it is not tracked. */
  chart(key: string): ChartPoint[] | undefined {
    return this.series.get(key)?.points();
  }
}
