import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../../..');
const mains = [
  ...readdirSync(join(ROOT, 'apps')).map((app) =>
    join(ROOT, 'apps', app, 'src/main.ts'),
  ),
  join(ROOT, 'tools/demo/node-source/main.ts'),
];

/** The first import statement of a file, ignoring comments. */
function firstImport(source: string): string | undefined {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return /^\s*import\s[^;]*;/m.exec(code)?.[0].trim();
}

describe('app entry points', () => {
  it.each(mains.map((m) => [m.slice(ROOT.length + 1), m]))(
    '%s imports ./instrumentation before anything else',
    (_name, path) => {
      // Modules loaded before the OTel SDK starts stay unpatched: no trace ids in logs.
      expect(firstImport(readFileSync(path, 'utf8'))).toBe(
        "import './instrumentation';",
      );
    },
  );

  it('detects a main.ts that loads something first', () => {
    expect(
      firstImport("import { x } from 'y';\nimport './instrumentation';"),
    ).toBe("import { x } from 'y';");
  });
});
