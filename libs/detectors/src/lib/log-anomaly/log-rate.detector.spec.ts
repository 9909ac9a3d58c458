import { LogRateDetector } from './log-rate.detector';

function feed(
  detector: LogRateDetector,
  templateId: string,
  perBucket: number,
  buckets: number,
  fromMs: number,
): number {
  for (let b = 0; b < buckets; b++) {
    for (let i = 0; i < perBucket; i++) {
      detector.observe(templateId, fromMs + b * 60_000 + i);
    }
  }
  return fromMs + buckets * 60_000;
}

describe('LogRateDetector', () => {
  it('flags a burst of a template after a stable baseline', () => {
    const detector = new LogRateDetector();
    let t = feed(detector, 'tpl', 10, 30, 0);
    t = feed(detector, 'tpl', 80, 1, t);
    const findings = detector.flush(t);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      key: 'tpl',
      kind: 'burst',
      observed: 80,
    });
    expect(findings[0].score).toBeGreaterThan(0.99);
    expect(findings[0].expected.high).toBeLessThan(80);
  });

  it('flags the silence of a template that appears every bucket', () => {
    const detector = new LogRateDetector();
    const t = feed(detector, 'heartbeat', 10, 30, 0);
    detector.flush(t);
    const findings = detector.flush(t + 60_000);
    expect(findings).toEqual([
      expect.objectContaining({
        key: 'heartbeat',
        kind: 'silence',
        observed: 0,
      }),
    ]);
  });

  it('stays quiet while the rate stays within its band', () => {
    const detector = new LogRateDetector();
    const findings: unknown[] = [];
    for (let b = 0; b < 40; b++) {
      for (let i = 0; i < 10 + (b % 3); i++) {
        findings.push(...detector.observe('tpl', b * 60_000 + i));
      }
    }
    expect(findings).toEqual([]);
  });
});
