import { join } from 'node:path';

import { promtool } from './support/testing';

const ROOT = join(__dirname, '../../..');
const RULES = join(ROOT, 'observability/prometheus/rules/providers.rules.yml');
const TESTS = join(ROOT, 'observability/prometheus/tests/providers.test.yml');

describe('provider alert rules (promtool)', () => {
  it('passes promtool check rules', () => {
    const { output, status } = promtool('check', 'rules', RULES);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('passes the promtool unit tests for provider down, breaker open and stream disconnected', () => {
    const { output, status } = promtool('test', 'rules', TESTS);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });
});
