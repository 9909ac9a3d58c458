import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface LibraryEntry {
  /** Absolute path of the library's src/index.ts (its only public entry). */
  entry: string;
  /** Nx project name; the package is `@freeride/<name>`. */
  name: string;
}

/** The part of TypeDoc's API used here (TypeDoc is an ES module; its types do not resolve under CommonJS). */
interface TypeDocApi {
  Application: {
    bootstrapWithPlugins(options: Record<string, unknown>): Promise<{
      convert(): Promise<{ children?: { name: string }[] } | undefined>;
      generateOutputs(project: unknown): Promise<void>;
    }>;
  };
}

interface SidebarItem {
  collapsed?: boolean;
  items?: SidebarItem[];
  link?: string;
  text: string;
}

/**
 * Markdown pages of every library's exported API from its TSDoc (TypeDoc with
 * typedoc-plugin-markdown and its VitePress theme); returns their sidebar.
 */
export async function buildLibraryPages(
  root: string,
  libs: LibraryEntry[],
  outDir: string,
): Promise<SidebarItem[]> {
  const specifier = 'typedoc';
  const td = (await import(specifier)) as unknown as TypeDocApi;
  const app = await td.Application.bootstrapWithPlugins({
    disableSources: true,
    docsRoot: relative(root, join(root, 'docs')),
    entryPointStrategy: 'resolve',
    entryPoints: libs.map((l) => l.entry),
    excludeExternals: true,
    excludePrivate: true,
    logLevel: 'Warn',
    // One page per library: the site stays small enough to build in seconds.
    outputFileStrategy: 'modules',
    out: outDir,
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    readme: 'none',
    skipErrorChecking: true,
    tsconfig: join(root, 'tools/docs/tsconfig.typedoc.json'),
  });
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the libraries');
  for (const mod of project.children ?? []) {
    const lib = libs.find(
      (l) =>
        relative(join(root, 'libs'), l.entry).split('/')[0] ===
        mod.name.split('/')[0],
    );
    if (lib) mod.name = `@freeride/${lib.name}`;
  }
  await app.generateOutputs(project);
  const sidebarFile = join(outDir, 'typedoc-sidebar.json');
  const items = existsSync(sidebarFile)
    ? (JSON.parse(readFileSync(sidebarFile, 'utf8')) as SidebarItem[])
    : [];
  return [
    { link: '/reference/libs/', text: 'Overview' },
    ...items.map((i) => ({ ...i, collapsed: true })),
  ];
}
