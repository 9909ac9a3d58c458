import type { AnomalyEvent, LogRecordEvent } from '@freeride/contracts';

import { syntheticLogStream } from '../replay/synthetic-log-stream';
import { AnomalyEngine } from './anomaly-engine';
import type { AnomalyEngineOptions } from './anomaly-engine';

const START = Date.parse('2026-03-02T08:00:00.000Z');
const MINUTE = 60_000;

function engine(options: Partial<AnomalyEngineOptions> = {}): AnomalyEngine {
  return new AnomalyEngine({
    links: ({ kind, service }) => ({
      discover: `http://kibana/discover?service=${service}`,
      runbook: `http://runbooks/${kind}`,
    }),
    ...options,
  });
}

function run(
  target: AnomalyEngine,
  records: Iterable<LogRecordEvent>,
  wallNowMs = 0,
): AnomalyEvent[] {
  const out: AnomalyEvent[] = [];
  for (const record of records)
    out.push(...target.observeLog(record, wallNowMs));
  return out;
}

describe('AnomalyEngine', () => {
  describe('on a quiet, steady stream', () => {
    it('raises nothing in 10 minutes of replayed time', () => {
      const subject = engine();
      const events = run(
        subject,
        syntheticLogStream({ durationMs: 10 * MINUTE, startMs: START }),
      );
      expect(subject.stats.logRecords).toBeGreaterThan(8_000);
      expect(events).toEqual([]);
    });

    it('raises nothing in 2 hours of replayed time with short buckets', () => {
      const subject = engine({ bucketMs: 10_000 });
      const events = run(
        subject,
        syntheticLogStream({
          durationMs: 120 * MINUTE,
          seed: 7,
          startMs: START,
        }),
      );
      expect(events).toEqual([]);
    });
  });

  describe('on a burst of a new error pattern', () => {
    const burstAt = START + 70 * MINUTE;
    const stream = () =>
      syntheticLogStream({
        bursts: [
          {
            atMs: burstAt,
            durationMs: 2 * MINUTE,
            perSecond: 20,
            service: 'checkout',
          },
        ],
        durationMs: 80 * MINUTE,
        startMs: START,
      });

    it('fires one new_template anomaly with samples, trace ids and links, then resolves it', () => {
      const events = run(engine({ keepFiringForMs: 30_000 }), stream());
      const newTemplate = events.filter((e) => e.kind === 'new_template');
      expect(newTemplate.map((e) => e.status)).toEqual(['firing', 'resolved']);
      const [firing, resolved] = newTemplate;
      expect(firing).toMatchObject({
        key: 'new_template:checkout',
        links: {
          discover: 'http://kibana/discover?service=checkout',
          runbook: 'http://runbooks/new_template',
        },
        service: 'checkout',
        severity: 'critical',
        template: expect.stringContaining('payment declined') as string,
      });
      expect(firing?.samples.length).toBeGreaterThan(0);
      expect(firing?.traceIds[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(
        Date.parse(firing?.['@timestamp'] ?? '') - burstAt,
      ).toBeLessThanOrEqual(10_000);
      const burstEnd = burstAt + 2 * MINUTE;
      expect(Date.parse(resolved?.window.end ?? '')).toBeGreaterThanOrEqual(
        burstEnd,
      );
      expect(Date.parse(resolved?.['@timestamp'] ?? '')).toBeLessThan(
        burstEnd + 3 * MINUTE,
      );
      expect(resolved?.key).toBe(firing?.key);
    });

    it('also flags the error share of the service, and only of that service', () => {
      const events = run(engine(), stream());
      const services = new Set(
        events.filter((e) => e.kind === 'error_share').map((e) => e.service),
      );
      expect([...services]).toEqual(['checkout']);
    });

    it('pages a new error pattern even during the warm-up: a never-seen error needs no baseline', () => {
      const events = run(
        engine(),
        syntheticLogStream({
          bursts: [
            {
              atMs: START + 5 * MINUTE,
              durationMs: MINUTE,
              perSecond: 5,
              service: 'quotes',
            },
          ],
          durationMs: 8 * MINUTE,
          startMs: START,
        }),
      );
      expect(
        events
          .filter((e) => e.kind === 'new_template')
          .map((e) => [e.service, e.status]),
      ).toEqual([
        ['quotes', 'firing'],
        ['quotes', 'resolved'],
      ]);
    });
  });

  describe('on several new error patterns at once', () => {
    it('fires one anomaly per service that names every pattern', () => {
      const subject = engine({
        keepFiringForMs: 10_000,
        newTemplateWarmupMs: 0,
      });
      const records: LogRecordEvent[] = [];
      for (let i = 0; i < 40; i++) {
        const symbol = i % 2 === 0 ? 'AAPL' : 'MSFT';
        records.push({
          '@timestamp': new Date(START + i * 250).toISOString(),
          attributes: {},
          level: 'error',
          message: `Quote feed checksum mismatch for symbol ${symbol}: expected ${1000 + i} got ${2000 + i}`,
          service: 'py',
          severityNumber: 17,
        });
      }
      records.push({
        '@timestamp': new Date(START + 5 * MINUTE).toISOString(),
        attributes: {},
        level: 'info',
        message: 'idle',
        service: 'py',
        severityNumber: 9,
      });
      const events = run(subject, records).filter(
        (e) => e.kind === 'new_template',
      );
      expect(events.map((e) => [e.key, e.status])).toEqual([
        ['new_template:py', 'firing'],
        ['new_template:py', 'resolved'],
      ]);
      expect(events[1]?.template?.split(' | ')).toHaveLength(2);
      expect(events[1]?.baseline.observed).toBe(2);
    });
  });

  describe('on rate shifts of a known template', () => {
    it('fires rate_burst when a usual template comes 20 times as often', () => {
      const subject = engine();
      const base = [
        ...syntheticLogStream({ durationMs: 30 * MINUTE, startMs: START }),
      ];
      const message = 'cache hit for symbol AAPL after 3 lookups';
      const extra: LogRecordEvent[] = [];
      for (let t = START + 20 * MINUTE; t < START + 22 * MINUTE; t += 100) {
        extra.push({
          '@timestamp': new Date(t).toISOString(),
          attributes: {},
          level: 'info',
          message,
          service: 'quotes',
          severityNumber: 9,
        });
      }
      const merged = [...base, ...extra].sort((a, b) =>
        a['@timestamp'].localeCompare(b['@timestamp']),
      );
      const bursts = run(subject, merged).filter(
        (e) => e.kind === 'rate_burst',
      );
      expect(bursts.map((e) => [e.service, e.status])).toEqual([
        ['quotes', 'firing'],
        ['quotes', 'resolved'],
      ]);
      expect(bursts[0]?.baseline.observed).toBeGreaterThan(
        bursts[0]?.baseline.upper ?? Infinity,
      );
    });

    it('fires rate_silence when a template that came every bucket stops', () => {
      const records: LogRecordEvent[] = [];
      for (let t = START; t < START + 40 * MINUTE; t += 1000) {
        const silent = t >= START + 25 * MINUTE && t < START + 30 * MINUTE;
        if (!silent) {
          records.push({
            '@timestamp': new Date(t).toISOString(),
            attributes: {},
            level: 'info',
            message: 'heartbeat from worker ok',
            service: 'trading',
            severityNumber: 9,
          });
        }
        records.push({
          '@timestamp': new Date(t + 500).toISOString(),
          attributes: {},
          level: 'info',
          message: 'tick processed',
          service: 'trading',
          severityNumber: 9,
        });
      }
      const silences = run(engine(), records).filter(
        (e) => e.kind === 'rate_silence',
      );
      expect(silences.map((e) => e.status)).toEqual(['firing', 'resolved']);
      expect(silences[0]?.template).toBe('heartbeat from worker ok');
    });
  });

  describe('#snapshot and #restore', () => {
    it('keeps the vocabulary and the warm-up across a restart', () => {
      const before = engine();
      run(
        before,
        syntheticLogStream({ durationMs: 70 * MINUTE, startMs: START }),
      );
      const saved = JSON.parse(JSON.stringify(before.snapshot())) as ReturnType<
        AnomalyEngine['snapshot']
      >;
      expect(saved.services.map((s) => s.service).sort()).toEqual([
        'checkout',
        'quotes',
        'wordpress',
      ]);

      const after = START + 80 * MINUTE;
      const next = () =>
        syntheticLogStream({
          bursts: [
            {
              atMs: after + 2 * MINUTE,
              durationMs: MINUTE,
              perSecond: 10,
              service: 'quotes',
            },
          ],
          durationMs: 5 * MINUTE,
          seed: 9,
          startMs: after,
        });
      const restored = engine();
      restored.restore(saved);
      const kinds = run(restored, next())
        .filter((e) => e.status === 'firing')
        .map((e) => `${e.kind}:${e.service}`);
      expect(kinds).toContain('new_template:quotes');
      expect(
        kinds.filter(
          (k) => k.startsWith('new_template:') && k !== 'new_template:quotes',
        ),
      ).toEqual([]);

      // Without the snapshot the burst still pages (a never-seen error needs
      // no baseline), and the services' usual errors of the first minute do not.
      const cold = run(engine(), next())
        .filter((e) => e.kind === 'new_template' && e.status === 'firing')
        .map((e) => e.service);
      expect(cold).toEqual(['quotes']);
    });
  });

  describe('event time bounded by the wall clock', () => {
    const record = (atMs: number, message: string): LogRecordEvent => ({
      '@timestamp': new Date(atMs).toISOString(),
      attributes: {},
      level: 'info',
      message,
      service: 'py',
      severityNumber: 9,
    });

    it('keeps records dated 2230 or 1970 from moving event time, and counts them', () => {
      const subject = engine({
        maxFutureSkewMs: 5 * MINUTE,
        maxPastAgeMs: 7 * 24 * 60 * MINUTE,
      });
      subject.observeLog(
        record(Date.parse('1970-01-01T00:00:01Z'), 'old'),
        START,
      );
      expect(subject.eventTimeMs).toBe(START);
      subject.observeLog(record(START + 1_000, 'tick'), START + 1_000);
      subject.observeLog(
        record(Date.parse('2230-01-01T00:00:00Z'), 'far future'),
        START + 2_000,
      );
      expect(subject.eventTimeMs).toBe(START + 1_000);
      subject.observeLog(record(START + 3_000, 'tick'), START + 3_000);
      expect(subject.eventTimeMs).toBe(START + 3_000);
      expect(subject.stats.eventTimeClamped).toBe(2);
    });

    it('still pages a new error burst that follows a record dated 2230', () => {
      const subject = engine({
        keepFiringForMs: 10_000,
        maxFutureSkewMs: 5 * MINUTE,
        maxPastAgeMs: 7 * 24 * 60 * MINUTE,
      });
      const out = [
        ...subject.observeLog(record(START, 'started'), START),
        ...subject.observeLog(
          record(Date.parse('2230-01-01T00:00:00Z'), 'from the future'),
          START,
        ),
      ];
      for (let i = 1; i <= 30; i++) {
        const at = START + 2 * MINUTE + i * 1_000;
        out.push(
          ...subject.observeLog(
            {
              ...record(at, 'payment gateway refused order 1'),
              level: 'error',
              severityNumber: 17,
            },
            at,
          ),
        );
      }
      expect(out.map((e) => [e.kind, e.status])).toContainEqual([
        'new_template',
        'firing',
      ]);
    });
  });

  describe('a partition taken over while an anomaly fires', () => {
    const log = (
      s: number,
      level: 'error' | 'info',
      message: string,
    ): LogRecordEvent => ({
      '@timestamp': new Date(START + s * 1000).toISOString(),
      attributes: {},
      level,
      message,
      service: 'py',
      severityNumber: level === 'error' ? 17 : 9,
    });
    const options = {
      idleAdvanceAfterMs: 5_000,
      keepFiringForMs: 10_000,
      newTemplateWarmupMs: 0,
    };
    const firingOnA = () => {
      const a = engine(options);
      const fired = run(
        a,
        [
          log(0, 'info', 'started'),
          log(11, 'error', 'disk full on /var'),
          log(21, 'error', 'disk full on /var'),
        ],
        1_000,
      );
      expect(fired.map((e) => [e.kind, e.status])).toEqual([
        ['new_template', 'firing'],
      ]);
      return { a, fired: fired[0] };
    };
    const handOver = (a: AnomalyEngine, wallNowMs: number) => {
      const b = engine(options);
      b.restore(
        JSON.parse(JSON.stringify(a.snapshot())) as ReturnType<
          AnomalyEngine['snapshot']
        >,
        wallNowMs,
      );
      return b;
    };

    it('the new owner re-posts the same firing anomaly, then resolves it once the condition stays clear', () => {
      const { a, fired } = firingOnA();
      const b = handOver(a, 2_000);
      expect(b.firingAnomalies().map((e) => e.id)).toEqual([fired.id]);
      expect(b.firingAnomalies()[0]?.window.start).toBe(fired.window.start);
      expect(b.tick(4_000)).toEqual([]);
      const resolved = [...b.tick(40_000), ...b.tick(120_000)];
      expect(resolved.map((e) => [e.key, e.status])).toEqual([
        [fired.key, 'resolved'],
      ]);
      expect(resolved[0]?.window.start).toBe(fired.window.start);
      expect(b.firingAnomalies()).toEqual([]);
    });

    it('the new owner carries on as the old one would have: no second page, the same resolve', () => {
      const { a, fired } = firingOnA();
      const b = handOver(a, 2_000);
      const continuation = [
        log(25, 'error', 'disk full on /var'),
        log(27, 'error', 'disk quota exceeded for /srv'),
        log(31, 'error', 'disk full on /var'),
        log(41, 'info', 'started'),
        log(200, 'info', 'started'),
      ];
      const onA = run(a, continuation, 3_000);
      const onB = run(b, continuation, 3_000);
      expect(onB).toEqual(onA);
      expect(onB.filter((e) => e.status === 'firing')).toEqual([]);
      expect(onB.map((e) => [e.key, e.status])).toEqual([
        [fired.key, 'resolved'],
      ]);
    });

    it('restores a snapshot written before firing anomalies were kept', () => {
      const { a } = firingOnA();
      const { firing: _firing, eventTimeMs: _eventTimeMs, ...older } =
        a.snapshot();
      const b = engine(options);
      b.restore(older);
      expect(b.firingAnomalies()).toEqual([]);
      expect(b.snapshot().services).toEqual(older.services);
    });
  });

  describe('#tick', () => {
    it('resolves an anomaly when the source went quiet, by advancing event time with the wall clock', () => {
      const subject = engine({
        idleAdvanceAfterMs: 5_000,
        keepFiringForMs: 10_000,
        newTemplateWarmupMs: 0,
      });
      const fired = run(
        subject,
        [
          {
            '@timestamp': new Date(START).toISOString(),
            attributes: {},
            level: 'info',
            message: 'started',
            service: 'py',
            severityNumber: 9,
          },
          {
            '@timestamp': new Date(START + 11_000).toISOString(),
            attributes: {},
            level: 'error',
            message: 'disk full on /var',
            service: 'py',
            severityNumber: 17,
            traceId: 'a'.repeat(32),
          },
          {
            '@timestamp': new Date(START + 21_000).toISOString(),
            attributes: {},
            level: 'error',
            message: 'disk full on /var',
            service: 'py',
            severityNumber: 17,
          },
        ],
        1_000,
      );
      expect(fired.map((e) => [e.kind, e.status])).toEqual([
        ['new_template', 'firing'],
      ]);
      expect(subject.firingAnomalies()).toHaveLength(1);
      expect(subject.tick(4_000)).toEqual([]);
      const resolved = [...subject.tick(40_000), ...subject.tick(120_000)];
      expect(resolved.map((e) => [e.kind, e.status])).toEqual([
        ['new_template', 'resolved'],
      ]);
      expect(subject.firingAnomalies()).toEqual([]);
    });
  });

  describe('#observeMetric', () => {
    it('fires a metric anomaly on a latency step after learning', () => {
      const subject = engine({ metricLearningPoints: 50 });
      const out: AnomalyEvent[] = [];
      for (let i = 0; i < 400; i++) {
        const value = i < 300 ? 0.1 + 0.005 * Math.sin(i) : 2.5;
        out.push(
          ...subject.observeMetric(
            {
              '@timestamp': new Date(START + i * 15_000).toISOString(),
              attributes: { route: '/quotes' },
              kind: 'gauge',
              name: 'http_latency_p99_seconds',
              service: 'market-gateway',
              unit: 's',
              value,
            },
            0,
          ),
        );
      }
      const metric = out.filter((e) => e.kind === 'metric');
      expect(metric[0]).toMatchObject({
        metric: 'http_latency_p99_seconds{route=/quotes}',
        service: 'market-gateway',
        status: 'firing',
      });
    });

    it('pages each of three equal spikes in one series, after the flap window', () => {
      const subject = engine({
        keepFiringForMs: 60_000,
        metricLearningPoints: 50,
      });
      const out: AnomalyEvent[] = [];
      const spikes = [600, 1200, 1800];
      for (let i = 0; i < 2400; i++) {
        const value =
          0.1 + 0.005 * Math.sin(i / 3) + (spikes.includes(i) ? 1 : 0);
        out.push(
          ...subject.observeMetric(
            {
              '@timestamp': new Date(START + i * 15_000).toISOString(),
              attributes: { route: '/quotes' },
              kind: 'gauge',
              name: 'http_latency_p99_seconds',
              service: 'market-gateway',
              unit: 's',
              value,
            },
            0,
          ),
        );
      }
      const fired = out
        .filter((e) => e.kind === 'metric' && e.status === 'firing')
        .map((e) => Math.round((Date.parse(e.window.start) - START) / 15_000));
      expect(fired).toHaveLength(3);
      fired.forEach((row, k) => {
        expect(Math.abs(row - spikes[k])).toBeLessThanOrEqual(5);
      });
    });
  });

  it('gives the same anomalies whatever the replay speed', () => {
    const stream = () =>
      syntheticLogStream({
        bursts: [
          {
            atMs: START + 65 * MINUTE,
            durationMs: MINUTE,
            perSecond: 10,
            service: 'wordpress',
          },
        ],
        durationMs: 70 * MINUTE,
        startMs: START,
      });
    const fast = run(engine(), stream(), 0).map((e) => e.id);
    const slow: string[] = [];
    const subject = engine();
    let wall = 0;
    for (const record of stream()) {
      wall += 3;
      slow.push(...subject.observeLog(record, wall).map((e) => e.id));
    }
    expect(fast.length).toBeGreaterThan(0);
    expect(slow).toEqual(fast);
  });
});
