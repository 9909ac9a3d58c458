import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { packageVersion } from './service-version';

describe('packageVersion', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'package-version-'));
  });

  afterEach(() => rmSync(root, { force: true, recursive: true }));

  it('reads the package.json next to a built app', () => {
    writeFileSync(join(root, 'package.json'), '{"version":"2.3.4"}');
    expect(packageVersion(root)).toBe('2.3.4');
  });

  it('walks up to the nearest package.json that has a version', () => {
    const nested = join(root, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"version":"1.0.1"}');
    writeFileSync(join(root, 'a', 'package.json'), '{"name":"no-version"}');
    expect(packageVersion(nested)).toBe('1.0.1');
  });

  it('gives the workspace version from source', () => {
    const { version } = jest.requireActual<{ version: string }>(
      '../../../../../package.json',
    );
    expect(packageVersion()).toBe(version);
  });
});
