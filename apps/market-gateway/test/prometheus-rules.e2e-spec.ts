import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const RULES = join(ROOT, 'observability/prometheus/rules/providers.rules.yml');
const TESTS = join(ROOT, 'observability/prometheus/tests/providers.test.yml');

function promtool(...args: string[]): {
  output: string;
  status: number | null;
} {
  const result = spawnSync('promtool', args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}

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
