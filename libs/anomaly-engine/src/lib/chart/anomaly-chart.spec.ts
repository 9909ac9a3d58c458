import { loadImage } from '@napi-rs/canvas';

import { renderAnomalyChart } from './anomaly-chart';
import type { ChartPoint } from './anomaly-chart';

const T0 = Date.UTC(2026, 0, 5);

describe('renderAnomalyChart', () => {
  it('renders a PNG that decodes to the requested size, with the anomalous point drawn in red', async () => {
    const points: ChartPoint[] = Array.from({ length: 60 }, (_, i) => ({
      anomalous: i === 50,
      high: 12,
      low: 8,
      timestampMs: T0 + i * 60_000,
      value: i === 50 ? 30 : 10 + Math.sin(i),
    }));
    const png = renderAnomalyChart(points, {
      height: 200,
      title: 'latency{route=/quotes} of gateway',
      width: 400,
    });
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const image = await loadImage(png);
    expect([image.width, image.height]).toEqual([400, 200]);
  });

  it('refuses an empty series', () => {
    expect(() => renderAnomalyChart([], { title: 'x' })).toThrow(
      'no points to draw',
    );
  });
});
