import { nestLogSink } from './nest-log-sink';

describe('nestLogSink', () => {
  it('maps each level to the Nest logger method, fields first', () => {
    const calls: [string, object, string][] = [];
    const record =
      (method: string) =>
      (fields: object, message: string): void => {
        calls.push([method, fields, message]);
      };
    const sink = nestLogSink({
      debug: record('debug'),
      error: record('error'),
      log: record('log'),
      warn: record('warn'),
    });
    sink.debug({ a: 1 }, 'd');
    sink.info({ b: 2 }, 'i');
    sink.warn({ c: 3 }, 'w');
    sink.error({ d: 4 }, 'e');
    expect(calls).toEqual([
      ['debug', { a: 1 }, 'd'],
      ['log', { b: 2 }, 'i'],
      ['warn', { c: 3 }, 'w'],
      ['error', { d: 4 }, 'e'],
    ]);
  });
});
