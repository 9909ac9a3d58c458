import { parsingMetrics } from './parsing-metrics';

const msg = (gtGroup: string, predictedGroup: string, template = 't') => ({
  gtGroup,
  gtTemplate: template,
  predictedGroup,
  predictedTemplate: template,
});

describe('parsingMetrics', () => {
  it('scores a perfect parse 1 on every metric', () => {
    expect(
      parsingMetrics([msg('a', '1'), msg('a', '1'), msg('b', '2')]),
    ).toEqual({ f1: 1, ga: 1, pa: 1 });
  });

  it('counts a split ground-truth group as wrong for all its messages', () => {
    const result = parsingMetrics([
      msg('a', '1'),
      msg('a', '2'),
      msg('b', '3'),
      msg('b', '3'),
    ]);
    expect(result.ga).toBe(0.5);
    expect(result.f1).toBeCloseTo((2 * 1 * 0.5) / 1.5, 12);
  });

  it('counts merged ground-truth groups as wrong', () => {
    expect(
      parsingMetrics([msg('a', '1'), msg('b', '1'), msg('c', '2')]).ga,
    ).toBeCloseTo(1 / 3, 12);
  });

  it('compares template strings exactly for PA', () => {
    const result = parsingMetrics([
      {
        gtGroup: 'a',
        gtTemplate: 'x <*>',
        predictedGroup: '1',
        predictedTemplate: 'x <*>',
      },
      {
        gtGroup: 'a',
        gtTemplate: 'x <*>',
        predictedGroup: '1',
        predictedTemplate: 'x  <*>',
      },
    ]);
    expect(result.pa).toBe(0.5);
  });
});
