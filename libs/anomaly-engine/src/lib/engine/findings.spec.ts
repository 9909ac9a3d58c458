import { Findings, pushSample } from './findings';

const baseline = { expected: 0, observed: 1, unit: 'count' };

describe('Findings', () => {
  it('joins every new template of a service into one incident, naming the first five', () => {
    const findings = new Findings();
    for (let i = 0; i < 7; i++) {
      findings.record('checkout', 0.999, 1000 + i, {
        baseline,
        kind: 'new_template',
        severity: 'critical',
        template: `error ${i}`,
        templateId: `t${i}`,
      });
    }
    const incident = findings.get('new_template:checkout');
    expect(incident?.templateIds?.size).toBe(7);
    expect(incident?.template).toBe(
      'error 0 | error 1 | error 2 | error 3 | error 4',
    );
    expect(incident?.baseline.observed).toBe(7);
    expect(incident?.activeUntilMs).toBe(1006);
  });

  it('keeps one finding per metric: the latest baseline, the highest score, the latest end', () => {
    const findings = new Findings();
    const fields = (observed: number) => ({
      baseline: { ...baseline, observed },
      kind: 'metric' as const,
      metric: 'latency',
      severity: 'warning' as const,
    });
    findings.record('api', 0.9, 2000, fields(10));
    findings.record('api', 0.6, 1500, fields(20));
    const f = findings.get('metric:api:latency');
    expect(f).toMatchObject({ activeUntilMs: 2000, score: 0.9 });
    expect(f?.baseline.observed).toBe(20);
  });

  it('lists what is active and forgets only expired findings that are settled', () => {
    const findings = new Findings();
    const at = (until: number, metric: string) =>
      findings.record('api', 0.9, until, {
        baseline,
        kind: 'metric',
        metric,
        severity: 'warning',
      });
    at(100, 'a');
    at(300, 'b');
    expect([...findings.activeAt(200)]).toEqual(['metric:api:b']);
    findings.prune(200, (key) => key !== 'metric:api:a');
    expect(findings.get('metric:api:a')).toBeDefined(); // still firing
    findings.prune(200, () => true);
    expect(findings.get('metric:api:a')).toBeUndefined();
    expect(findings.get('metric:api:b')).toBeDefined(); // not expired
  });
});

describe('pushSample', () => {
  it('keeps the first samples only', () => {
    const list: { '@timestamp': string; message: string }[] = [];
    for (let i = 0; i < 4; i++)
      pushSample(list, { '@timestamp': `t${i}`, message: `m${i}` }, 2);
    expect(list.map((s) => s.message)).toEqual(['m0', 'm1']);
  });
});
