import { escapeAngles, repoPage } from './markdown';

describe('repository markdown as a site page', () => {
  const published = new Map([
    ['libs/market-data/README.md', '/reference/readme/libs-market-data'],
    ['BENCHMARKS.md', '/reference/benchmarks'],
  ]);

  it('points links to published files at their pages and turns other links into paths', () => {
    const page = repoPage(
      'See [market data](../../libs/market-data/README.md#limits), [figures](../../BENCHMARKS.md), [the config](src/config/x.ts) and [docs](https://example.org).',
      'apps/trading/README.md',
      published,
    );
    expect(page).toContain(
      '[market data](/reference/readme/libs-market-data#limits)',
    );
    expect(page).toContain('[figures](/reference/benchmarks)');
    expect(page).toContain('the config (`apps/trading/src/config/x.ts`)');
    expect(page).toContain('[docs](https://example.org)');
    expect(page.startsWith('::: v-pre\n')).toBe(true);
  });

  it('escapes tags outside code only', () => {
    expect(escapeAngles('a <app> b `c <d>`\n```\n<e>\n```')).toBe(
      'a &lt;app> b `c <d>`\n```\n<e>\n```',
    );
  });
});
