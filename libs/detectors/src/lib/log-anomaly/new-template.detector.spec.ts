import { NewTemplateDetector } from './new-template.detector';

describe('NewTemplateDetector', () => {
  it('flags a new error template after warm-up with the highest score', () => {
    const detector = new NewTemplateDetector({ warmupMs: 1000 });
    detector.observe({ templateId: 'a', timestampMs: 0 });
    const finding = detector.observe({
      level: 'ERROR',
      template: 'disk <*> failed',
      templateId: 'b',
      timestampMs: 5000,
    });
    expect(finding).toMatchObject({ key: 'b', kind: 'new-template', score: 1 });
    expect(finding?.reason).toContain('new error template: disk <*> failed');
  });

  it('scores a new template by level and damps it during warm-up', () => {
    const detector = new NewTemplateDetector({ warmupMs: 1000 });
    detector.observe({ templateId: 'a', timestampMs: 0 });
    expect(
      detector.observe({ level: 'info', templateId: 'b', timestampMs: 500 })
        ?.score,
    ).toBeCloseTo(0.2);
    expect(
      detector.observe({ level: 13, templateId: 'c', timestampMs: 2000 })
        ?.score,
    ).toBeCloseTo(0.7);
  });

  it('returns nothing for a template seen before', () => {
    const detector = new NewTemplateDetector();
    detector.observe({ templateId: 'a', timestampMs: 0 });
    expect(
      detector.observe({ level: 'error', templateId: 'a', timestampMs: 1 }),
    ).toBeUndefined();
  });

  it('does not damp a new error template during warm-up: a never-seen error needs no baseline', () => {
    const detector = new NewTemplateDetector({ warmupMs: 3_600_000 });
    detector.observe({ templateId: 'a', timestampMs: 0 });
    const finding = detector.observe({
      level: 'error',
      template: 'payment gateway refused <*>',
      templateId: 'b',
      timestampMs: 60_000,
    });
    expect(finding?.score).toBe(1);
    expect(
      detector.observe({ level: 'warn', templateId: 'c', timestampMs: 60_000 })
        ?.score,
    ).toBeCloseTo(0.7 / 60);
  });

  it("damps an error template first seen in the grace period: the source's usual errors", () => {
    const detector = new NewTemplateDetector({
      errorGraceMs: 60_000,
      warmupMs: 3_600_000,
    });
    detector.observe({ templateId: 'a', timestampMs: 0 });
    expect(
      detector.observe({ level: 'error', templateId: 'b', timestampMs: 30_000 })
        ?.score,
    ).toBeCloseTo(30_000 / 3_600_000);
  });
});
