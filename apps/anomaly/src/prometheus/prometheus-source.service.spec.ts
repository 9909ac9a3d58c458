import { toMetricPoints } from './prometheus-source.service';

describe('toMetricPoints', () => {
  const query = { name: 'http_p99_seconds', query: 'x' };

  it('maps each series to a point named after the query, service from the service or job label', () => {
    const points = toMetricPoints(query, {
      data: {
        result: [
          {
            metric: { route: '/quotes', service: 'market-gateway' },
            value: [1767225600, '0.25'],
          },
          {
            metric: { __name__: 'up', job: 'ingest' },
            value: [1767225600.5, '1'],
          },
        ],
        resultType: 'vector',
      },
      status: 'success',
    });
    expect(points).toEqual([
      {
        '@timestamp': '2026-01-01T00:00:00.000Z',
        attributes: { route: '/quotes' },
        kind: 'gauge',
        name: 'http_p99_seconds',
        service: 'market-gateway',
        value: 0.25,
      },
      {
        '@timestamp': '2026-01-01T00:00:00.500Z',
        attributes: {},
        kind: 'gauge',
        name: 'http_p99_seconds',
        service: 'ingest',
        value: 1,
      },
    ]);
  });

  it('drops NaN samples', () => {
    const points = toMetricPoints(query, {
      data: {
        result: [{ metric: { service: 'a' }, value: [1, 'NaN'] }],
        resultType: 'vector',
      },
      status: 'success',
    });
    expect(points).toEqual([]);
  });

  it('throws on an answer that is not an instant vector', () => {
    expect(() =>
      toMetricPoints(query, {
        data: { result: [], resultType: 'matrix' },
        status: 'success',
      }),
    ).toThrow();
  });
});
