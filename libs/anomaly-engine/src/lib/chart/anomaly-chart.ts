import { createCanvas } from '@napi-rs/canvas';

/** One point of a metric series as the detector saw it. */
export interface ChartPoint {
  /** Whether the point scored as anomalous. */
  readonly anomalous: boolean;
  /** Upper edge of the expected band. */
  readonly high: number;
  /** Lower edge of the expected band. */
  readonly low: number;
  readonly timestampMs: number;
  readonly value: number;
}

/** Options of {@link renderAnomalyChart}. */
export interface AnomalyChartOptions {
  readonly height?: number;
  readonly title: string;
  readonly width?: number;
}

const MARGIN = { bottom: 36, left: 64, right: 16, top: 32 };

function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return a >= 1 || a === 0 ? v.toPrecision(3) : v.toPrecision(2);
}

/**
 * Renders a PNG of a metric series around an anomaly: the expected band
 * (shaded), the observed values (line) and the anomalous points (red dots),
 * with a title, value ticks and the time span, server-side with
 * `@napi-rs/canvas` (Skia, prebuilt binaries).
 *
 * @throws Error when there are no points to draw
 */
export function renderAnomalyChart(
  points: readonly ChartPoint[],
  options: AnomalyChartOptions,
): Buffer {
  if (points.length === 0) throw new Error('no points to draw');
  const width = options.width ?? 640;
  const height = options.height ?? 280;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);

  const finite = (x: number): boolean => Number.isFinite(x);
  const ys = points.flatMap((p) => [p.value, p.low, p.high]).filter(finite);
  let min = Math.min(...ys);
  let max = Math.max(...ys);
  if (max - min < 1e-12) {
    max += 1;
    min -= 1;
  }
  const pad = (max - min) * 0.05;
  min -= pad;
  max += pad;
  const t0 = points[0].timestampMs;
  const t1 = Math.max(points[points.length - 1].timestampMs, t0 + 1);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const x = (t: number): number => MARGIN.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (v: number): number =>
    MARGIN.top + (1 - (v - min) / (max - min)) * plotH;

  // axes and ticks
  ctx.strokeStyle = '#999999';
  ctx.lineWidth = 1;
  ctx.strokeRect(MARGIN.left, MARGIN.top, plotW, plotH);
  ctx.fillStyle = '#333333';
  ctx.font = '11px sans-serif';
  for (let i = 0; i <= 4; i++) {
    const v = min + ((max - min) * i) / 4;
    ctx.fillText(formatValue(v), 4, y(v) + 4);
  }
  ctx.fillText(
    new Date(t0).toISOString().slice(0, 19).replace('T', ' '),
    MARGIN.left,
    height - 12,
  );
  const end = new Date(t1).toISOString().slice(0, 19).replace('T', ' ');
  ctx.fillText(
    end,
    width - MARGIN.right - ctx.measureText(end).width,
    height - 12,
  );
  ctx.font = 'bold 13px sans-serif';
  ctx.fillText(options.title.slice(0, 90), MARGIN.left, 20);

  // expected band
  const band = points.filter((p) => finite(p.low) && finite(p.high));
  if (band.length > 1) {
    ctx.fillStyle = 'rgba(70, 130, 180, 0.25)';
    ctx.beginPath();
    band.forEach((p, i) =>
      i === 0
        ? ctx.moveTo(x(p.timestampMs), y(p.high))
        : ctx.lineTo(x(p.timestampMs), y(p.high)),
    );
    for (let i = band.length - 1; i >= 0; i--) {
      ctx.lineTo(x(band[i].timestampMs), y(band[i].low));
    }
    ctx.closePath();
    ctx.fill();
  }
  // observed values
  ctx.strokeStyle = '#222222';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach((p, i) =>
    i === 0
      ? ctx.moveTo(x(p.timestampMs), y(p.value))
      : ctx.lineTo(x(p.timestampMs), y(p.value)),
  );
  ctx.stroke();
  // anomalous points
  ctx.fillStyle = '#d62728';
  for (const p of points) {
    if (!p.anomalous) continue;
    ctx.beginPath();
    ctx.arc(x(p.timestampMs), y(p.value), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  return canvas.toBuffer('image/png');
}
