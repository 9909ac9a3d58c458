#!/usr/bin/env node
/**
 * Production build of one app: `node tools/build/build-app.mjs <app> [--asset PATH ...]`
 * (the `build` target of each app's project.json).
 *
 * - Bundle: esbuild bundles apps/<app>/src/main.ts and the workspace libs it imports
 *   (`@freeride/*`, resolved through tsconfig.base.json `paths`) into one CommonJS file,
 *   dist/apps/<app>/main.js, with a source map.
 * - Transpile: every .ts file goes through SWC with `legacyDecorator` and
 *   `decoratorMetadata` (esbuild alone drops `design:paramtypes`, which Nest's
 *   dependency injection reads).
 * - Third-party packages stay external (never bundled): the OTel auto-instrumentations
 *   patch them through require hooks on real node_modules. The bundle's external imports
 *   become the `dependencies` of a generated dist/apps/<app>/package.json (ranges from the
 *   root package.json; importing a devDependency fails the build), and Nx prunes the root
 *   package-lock.json to them (dist/apps/<app>/package-lock.json), so
 *   `npm ci --omit=dev` in that directory installs exactly the production tree.
 * - Assets (`--asset path`, relative to the repo) are copied to the same relative path
 *   under the output directory (see withModuleDir).
 *
 * Started with plain `node dist/apps/<app>/main.js`.
 */
import { transform } from '@swc/core';
import { build } from 'esbuild';
import {
  cpSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function usage(message) {
  console.error(
    `build-app: ${message}\nusage: build-app.mjs <app> [--asset PATH ...]`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const [app, ...rest] = argv;
  if (!app || !/^[a-z][a-z0-9-]*$/.test(app)) usage('expected an app name');
  const assets = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] !== '--asset' || !rest[i + 1]) usage(`bad argument ${rest[i]}`);
    assets.push(rest[++i]);
  }
  return { app, assets };
}

const BUILTINS = new Set(builtinModules);

/**
 * Packages that an external package loads by name at run time (so the bundle never
 * imports them), added when the package that loads them is a dependency.
 */
const LOADED_BY_NAME = {
  '@nestjs/common': ['class-transformer'], // ValidationPipe
  '@nestjs/core': ['@nestjs/platform-express', 'reflect-metadata'], // the default HTTP adapter
};

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(spec) {
  return (
    spec.startsWith('node:') ||
    BUILTINS.has(spec) ||
    BUILTINS.has(packageName(spec))
  );
}

/** tsconfig.base.json `paths` (exact aliases only, as the workspace uses them). */
function workspaceAliases() {
  const base = JSON.parse(
    readFileSync(join(ROOT, 'tsconfig.base.json'), 'utf8'),
  );
  const aliases = new Map();
  for (const [alias, targets] of Object.entries(
    base.compilerOptions.paths ?? {},
  )) {
    aliases.set(alias, resolve(ROOT, targets[0]));
  }
  return aliases;
}

/** Resolves workspace aliases to source, keeps every other bare import external. */
function resolvePlugin(aliases, externals) {
  return {
    name: 'freeride-resolve',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const alias = aliases.get(args.path);
        if (alias) return { path: alias };
        if (args.path.startsWith('@freeride/')) {
          return {
            errors: [
              { text: `${args.path} is not a tsconfig.base.json path alias` },
            ],
          };
        }
        if (!isBuiltin(args.path)) externals.add(packageName(args.path));
        return { external: true, path: args.path };
      });
    },
  };
}

/**
 * In the bundle every module shares one `__dirname` (dist/apps/<app>). A module that reads
 * files next to itself gets its own directory back, at its repo-relative path under the
 * output directory, where the assets are copied with their repo-relative paths too: the
 * output directory is laid out as a small copy of the repository for those files.
 */
function withModuleDir(code, file) {
  if (!/\b__dirname\b/.test(code)) return code;
  const rel = relative(ROOT, dirname(file));
  return [
    "import { join as __joinModuleDir } from 'node:path';",
    `const __moduleDir = __joinModuleDir(__dirname, ${JSON.stringify(rel)});`,
    code.replace(/\b__dirname\b/g, '__moduleDir'),
  ].join(' '); // one line: keeps the source map's line numbers
}

/** SWC for TypeScript: keeps legacy decorators and their `design:*` metadata. */
function swcPlugin() {
  return {
    name: 'freeride-swc',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = readFileSync(args.path, 'utf8');
        const out = await transform(source, {
          filename: args.path,
          jsc: {
            keepClassNames: true,
            parser: { decorators: true, syntax: 'typescript' },
            target: 'es2023',
            transform: { decoratorMetadata: true, legacyDecorator: true },
          },
          module: { type: 'es6' },
          sourceMaps: 'inline',
          swcrc: false,
        });
        return {
          contents: withModuleDir(out.code, args.path),
          loader: 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  };
}

function generatedPackageJson(app, externals) {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const dependencies = {};
  const devOnly = [];
  for (const name of [...externals].sort()) {
    const range = root.dependencies?.[name];
    if (range) dependencies[name] = range;
    else devOnly.push(name);
  }
  if (devOnly.length > 0) {
    throw new Error(
      `apps/${app} imports packages that are not production dependencies of the root package.json: ${devOnly.join(', ')}`,
    );
  }
  return {
    dependencies,
    description: `Freeride Ops ${app} (production build)`,
    engines: root.engines,
    license: root.license,
    main: 'main.js',
    name: `@freeride/${app}`,
    private: true,
    scripts: { start: 'node main.js' },
    version: root.version,
  };
}

async function prunedLockFile(packageJson, outDir) {
  const { createProjectGraphAsync } = await import('@nx/devkit');
  const { generatePrunedDeployOutput } = await import('@nx/js');
  const graph = await createProjectGraphAsync({ exitOnError: true });
  generatePrunedDeployOutput(packageJson, graph, relative(ROOT, outDir), {
    outputDirectory: outDir,
    packageManager: 'npm',
    workspaceRoot: ROOT,
  });
}

async function main() {
  const { app, assets } = parseArgs(process.argv.slice(2));
  const entry = join(ROOT, 'apps', app, 'src/main.ts');
  const outDir = join(ROOT, 'dist/apps', app);
  rmSync(outDir, { force: true, recursive: true });
  mkdirSync(outDir, { recursive: true });

  const externals = new Set();
  const result = await build({
    absWorkingDir: ROOT,
    bundle: true,
    entryPoints: [entry],
    format: 'cjs',
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    outfile: join(outDir, 'main.js'),
    platform: 'node',
    plugins: [resolvePlugin(workspaceAliases(), externals), swcPlugin()],
    sourcemap: true,
    target: 'node24',
  });
  if (result.errors.length > 0) process.exit(1);

  for (const asset of assets) {
    cpSync(join(ROOT, asset), join(outDir, asset), { recursive: true });
  }

  for (const name of [...externals]) {
    for (const loaded of LOADED_BY_NAME[name] ?? []) externals.add(loaded);
  }
  const packageJson = generatedPackageJson(app, externals);
  await prunedLockFile(packageJson, outDir);
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify(packageJson, null, 2)}\n`,
  );
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(
    `built dist/apps/${app}/main.js from ${inputs} source files; ${externals.size} external packages in package.json`,
  );
}

main().catch((error) => {
  console.error(`build-app: ${error.stack ?? error}`);
  process.exit(1);
});
