#!/usr/bin/env bash
# Creates the skeleton of a lib or app: project.json with tags, jest configs, tsconfigs.
# usage: tools/scripts/new-project.sh <libs|apps> <name> <type:tag> <scope:tag>
set -euo pipefail
kind=$1 name=$2 type=$3 scope=$4
dir="$kind/$name"
mkdir -p "$dir/src"
rel=../..
projtype=library; [ "$kind" = apps ] && projtype=application
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "$rel/node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$projtype",
  "tags": ["type:$type", "scope:$scope"],
  "targets": {
    "lint": {
      "executor": "nx:run-commands",
      "options": { "command": "eslint $dir" }
    },
    "typecheck": {
      "executor": "nx:run-commands",
      "options": { "command": "tsc -p $dir/tsconfig.spec.json --noEmit" }
    },
    "test": {
      "executor": "nx:run-commands",
      "options": { "command": "TZ=UTC jest -c $dir/jest.config.js" }
    }
  }
}
JSON
cat > "$dir/jest.config.js" <<JS
/** @type {import('jest').Config} */
module.exports = {
  displayName: '$name',
  preset: '$rel/jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
JS
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "$rel/tsconfig.base.json",
  "include": [],
  "references": [{ "path": "./tsconfig.lib.json" }, { "path": "./tsconfig.spec.json" }]
}
JSON
cat > "$dir/tsconfig.lib.json" <<JSON
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": { "outDir": "$rel/dist/out-tsc" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.spec.ts"]
}
JSON
cat > "$dir/tsconfig.spec.json" <<JSON
{
  "extends": "$rel/tsconfig.base.json",
  "compilerOptions": { "outDir": "$rel/dist/out-tsc", "types": ["node", "jest"] },
  "include": ["src/**/*.ts", "test/**/*.ts"]
}
JSON
[ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
echo "created $dir"
