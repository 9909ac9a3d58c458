import { severityOf } from './log-level';

describe('severityOf', () => {
  it.each([
    ['ERROR', 'error'],
    ['fatal', 'error'],
    ['Warning', 'warn'],
    ['debug', 'debug'],
    ['INFO', 'info'],
    ['notice', 'info'],
    [17, 'error'],
    [13, 'warn'],
    [9, 'info'],
    [5, 'debug'],
  ] as const)('maps %s to %s', (level, severity) => {
    expect(severityOf(level)).toBe(severity);
  });
});
