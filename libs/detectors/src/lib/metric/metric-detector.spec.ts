import { METRIC_ALERT_SCORE, MetricDetector } from './metric-detector';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5);

/** Deterministic noise in [-1, 1] (a linear congruential generator). */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return (state / 4294967296) * 2 - 1;
  };
}

function run(
  detector: MetricDetector,
  points: readonly [number, number][],
): number[] {
  return points.map(([t, v]) => detector.update(t, v).score);
}

const max = (xs: readonly number[]): number =>
  xs.reduce((a, b) => Math.max(a, b), 0);

describe('MetricDetector', () => {
  it('scores nothing while learning and keeps scores in [0, 1]', () => {
    const rnd = noise(1);
    const detector = new MetricDetector();
    const scores = run(
      detector,
      Array.from({ length: 2000 }, (_, i) => [
        T0 + i * MINUTE,
        100 + 5 * rnd() + (i % 500 === 499 ? 1e6 : 0),
      ]),
    );
    expect(max(scores.slice(0, 150))).toBe(0);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  });

  it('flags a spike after a stable baseline', () => {
    const rnd = noise(2);
    const detector = new MetricDetector();
    const baseline = run(
      detector,
      Array.from({ length: 1000 }, (_, i) => [T0 + i * MINUTE, 50 + rnd()]),
    );
    const spike = detector.update(T0 + 1000 * MINUTE, 70);
    expect(max(baseline.slice(500))).toBeLessThan(0.1);
    expect(spike.score).toBeGreaterThan(0.9);
    expect(spike.expected.high).toBeLessThan(70);
    expect(spike.expectedValue).toBeGreaterThan(48);
    expect(spike.expectedValue).toBeLessThan(52);
    expect(spike.reason).toContain('above the expected');
  });

  it('flags a level shift once, then accepts the new level', () => {
    const rnd = noise(3);
    const detector = new MetricDetector();
    run(
      detector,
      Array.from({ length: 1000 }, (_, i) => [T0 + i * MINUTE, 10 + rnd()]),
    );
    const after = run(
      detector,
      Array.from({ length: 600 }, (_, i) => [
        T0 + (1000 + i) * MINUTE,
        30 + rnd(),
      ]),
    );
    expect(max(after.slice(0, 5))).toBeGreaterThan(0.9);
    expect(max(after.slice(300))).toBeLessThan(0.1);
  });

  it('learns daily seasonality and flags a value that is wrong for its time of day', () => {
    const rnd = noise(4);
    const step = 10 * MINUTE;
    const daily = (t: number): number =>
      100 + 50 * Math.sin((2 * Math.PI * (t % 86_400_000)) / 86_400_000);
    const detector = new MetricDetector();
    const days = 10;
    const points: [number, number][] = Array.from(
      { length: (days * 86_400_000) / step },
      (_, i) => {
        const t = T0 + i * step;
        return [t, daily(t) + rnd()];
      },
    );
    const scores = run(detector, points);
    // The daily peaks and troughs of days 4-10 are expected, not anomalies.
    expect(max(scores.slice((3 * 86_400_000) / step))).toBeLessThan(0.1);
    // At the daily trough, a value of the daily mean is far off its season but inside the range.
    const trough = T0 + days * 86_400_000 + 18 * 3_600_000;
    for (let t = T0 + days * 86_400_000; t < trough; t += step) {
      detector.update(t, daily(t) + rnd());
    }
    // The value is inside the range seen, so only the seasonal residual can flag it.
    expect(detector.update(trough, 100).score).toBeGreaterThan(0.2);
  });

  it('learns a square daily pattern within days and flags the day its peak is missing', () => {
    // Business hours at 100, nights at 0, 5-minute points: the plain level
    // misses every transition, so the daily model must take over, and a
    // transition it expects must not re-baseline it.
    const rnd = noise(7);
    const step = 5 * MINUTE;
    const perDay = 86_400_000 / step;
    const detector = new MetricDetector();
    const maxOfDay: number[] = [];
    for (let day = 0; day < 8; day++) {
      const scores: number[] = [];
      for (let k = 0; k < perDay; k++) {
        const hour = (k * step) / 3_600_000;
        const open = hour >= 9 && hour < 18 && day !== 7;
        scores.push(
          detector.update(
            T0 + day * 86_400_000 + k * step,
            (open ? 100 : 0) + 2 * rnd(),
          ).score,
        );
      }
      maxOfDay.push(max(scores));
    }
    // Days 3 to 7 are ordinary: their transitions are expected.
    expect(max(maxOfDay.slice(2, 7))).toBeLessThan(0.1);
    // Day 8 stays at 0 through business hours: the missing peak alerts.
    expect(maxOfDay[7]).toBeGreaterThan(METRIC_ALERT_SCORE);
  });

  it('handles gaps and irregular timestamps without false alarms', () => {
    const rnd = noise(5);
    const detector = new MetricDetector();
    let t = T0;
    const afterGap: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const gap = i % 400 === 399;
      t += gap ? 6 * 3_600_000 : MINUTE * (0.5 + Math.abs(rnd()));
      const { score } = detector.update(t, 20 + rnd());
      scores.push(score);
      if (gap && i > 1000) {
        afterGap.push(score);
      }
    }
    expect(max(afterGap)).toBe(0);
    expect(max(scores.slice(1000))).toBeLessThan(0.3);
  });

  it('ignores a non-finite value', () => {
    const detector = new MetricDetector();
    detector.update(T0, 1);
    expect(detector.update(T0 + MINUTE, Number.NaN)).toMatchObject({
      reason: 'not a finite point',
      score: 0,
    });
    expect(Number.isFinite(detector.update(T0 + 2 * MINUTE, 1).score)).toBe(
      true,
    );
  });

  it('reports one incident once thanks to the refractory period', () => {
    const rnd = noise(6);
    const detector = new MetricDetector();
    run(
      detector,
      Array.from({ length: 1000 }, (_, i) => [T0 + i * MINUTE, 50 + rnd()]),
    );
    const incident = run(
      detector,
      Array.from({ length: 10 }, (_, i) => [
        T0 + (1000 + i) * MINUTE,
        60 + 0.1 * i,
      ]),
    );
    expect(incident[0]).toBeGreaterThan(0.5);
    expect(incident.slice(1).every((s) => s < incident[0])).toBe(true);
  });

  it('scores three equal spikes a week apart in a seasonal series each above the alert threshold', () => {
    const rnd = noise(7);
    const step = 5 * MINUTE;
    const day = 86_400_000;
    const daily = (t: number): number =>
      200 + 80 * Math.sin((2 * Math.PI * (t % day)) / day);
    const detector = new MetricDetector();
    const spikesAt = [10, 17, 24].map((d) => T0 + d * day + 9 * 3_600_000);
    const spikeScores: number[] = [];
    let quietMax = 0;
    for (let t = T0; t < T0 + 26 * day; t += step) {
      const spike = spikesAt.includes(t);
      const { score } = detector.update(
        t,
        daily(t) + 3 * rnd() + (spike ? 60 : 0),
      );
      if (spike) {
        spikeScores.push(score);
      } else if (
        t > T0 + 3 * day &&
        !spikesAt.some((s) => t > s && t < s + 6 * 3_600_000)
      ) {
        quietMax = Math.max(quietMax, score);
      }
    }
    expect(spikeScores).toHaveLength(3);
    for (const score of spikeScores) {
      expect(score).toBeGreaterThan(METRIC_ALERT_SCORE);
    }
    expect(quietMax).toBeLessThan(METRIC_ALERT_SCORE);
  });

  it('alerts once for a step change, then re-baselines', () => {
    const rnd = noise(8);
    const detector = new MetricDetector();
    const scores = run(
      detector,
      Array.from({ length: 4000 }, (_, i) => [
        T0 + i * MINUTE,
        (i < 2000 ? 40 : 70) + 2 * rnd(),
      ]),
    );
    const alerts = scores
      .map((s, i) => (s > METRIC_ALERT_SCORE ? i : -1))
      .filter((i) => i >= 0);
    // Runs of consecutive alerting points: one incident.
    const incidents = alerts.filter(
      (i, k) => k === 0 || i - alerts[k - 1] > 60,
    );
    expect(incidents).toEqual([2000]);
    expect(max(scores.slice(2300))).toBeLessThan(METRIC_ALERT_SCORE);
  });

  it('flags a slow drift out of the long-run band that the adaptive level follows, naming the long-run level', () => {
    const rnd = noise(9);
    const detector = new MetricDetector();
    const results = Array.from({ length: 6000 }, (_, i) =>
      detector.update(
        T0 + i * MINUTE,
        100 + 2 * rnd() + (i < 4000 ? 0 : Math.min(i - 4000, 1000) * 0.03),
      ),
    );
    const scores = results.map((r) => r.score);
    expect(max(scores.slice(3000, 4000))).toBeLessThan(METRIC_ALERT_SCORE);
    const longRun = results
      .slice(4000, 5000)
      .filter(
        (r) => r.score > METRIC_ALERT_SCORE && r.reason.includes('long-run'),
      );
    expect(longRun.length).toBeGreaterThan(0);
    expect(max(scores.slice(5100))).toBeLessThan(METRIC_ALERT_SCORE);
  });

  it('does not page a point inside the noise because the short-run level creeps to a new high', () => {
    const detector = new MetricDetector();
    // Alternating ±1 noise around 100; one early spike sets the records,
    // which decay over the next 20,000 points.
    for (let i = 0; i < 20_000; i++) {
      detector.update(
        T0 + i * MINUTE,
        100 + (i % 2 === 1 ? 1 : -1) + (i === 200 ? 100 : 0),
      );
    }
    // The level then creeps up (a new high of the short-run level) and one
    // point lies about 2.6 robust deviations above its expectation.
    let bump = { deviations: 0, score: 1 };
    for (let k = 0; k < 300; k++) {
      const i = 20_000 + k;
      const r = detector.update(
        T0 + i * MINUTE,
        100 + 0.02 * k + (i % 2 === 1 ? 1 : -1) + (k === 150 ? 3.5 : 0),
      );
      if (k === 150) bump = r;
    }
    expect(bump.deviations).toBeGreaterThan(2);
    expect(bump.deviations).toBeLessThan(3);
    expect(bump.score).toBeLessThan(METRIC_ALERT_SCORE);
  });
});
