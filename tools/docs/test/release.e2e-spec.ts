/**
 * `nx release --dry-run` reads the conventional commits since the last `vX.Y.Z` tag
 * (or since the first commit) and previews the next version and its changelog,
 * changing nothing.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

describe('nx release --dry-run', () => {
  it('previews the next version and a changelog from the commit history without changing files', () => {
    const before = execFileSync('git', ['status', '--porcelain'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const out = execFileSync(
      resolve(ROOT, 'node_modules/.bin/nx'),
      ['release', '--dry-run', '--skip-publish'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          FORCE_COLOR: '0',
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_TUI: 'false',
        },
      },
    );
    expect(out).toMatch(
      /New version \d+\.\d+\.\d+ written to manifest: package\.json/,
    );
    expect(out).toMatch(
      /Previewing an entry in CHANGELOG\.md for v\d+\.\d+\.\d+/,
    );
    expect(out).toMatch(/### .*Features/);
    expect(out).toMatch(
      /- \*\*docs:\*\* npm run docs builds a versioned VitePress site/,
    );
    expect(
      execFileSync('git', ['status', '--porcelain'], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    ).toBe(before);
  });
});
