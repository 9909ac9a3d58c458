import { ErrorShareDetector } from './error-share.detector';

describe('ErrorShareDetector', () => {
  function bucket(
    detector: ErrorShareDetector,
    startMs: number,
    total: number,
    errors: number,
  ): void {
    for (let i = 0; i < total; i++) {
      detector.observe({
        level: i < errors ? 'error' : 'info',
        service: 'api',
        timestampMs: startMs + i,
      });
    }
  }

  it('flags a jump in the share of errors of a service', () => {
    const detector = new ErrorShareDetector();
    for (let b = 0; b < 20; b++) {
      bucket(detector, b * 60_000, 200, 2);
    }
    bucket(detector, 20 * 60_000, 200, 60);
    const findings = detector.flush(21 * 60_000);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      key: 'api',
      kind: 'error-share',
      observed: 0.3,
    });
    expect(findings[0].expected.high).toBeLessThan(0.1);
  });

  it('does not flag one error among a few records', () => {
    const detector = new ErrorShareDetector();
    for (let b = 0; b < 20; b++) {
      bucket(detector, b * 60_000, 200, 2);
    }
    bucket(detector, 20 * 60_000, 3, 1);
    expect(detector.flush(21 * 60_000)).toEqual([]);
  });
});
