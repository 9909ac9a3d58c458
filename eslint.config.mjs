// Workspace lint: typescript-eslint (type-checked), Nx module boundaries, jest rules.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/coverage',
      'sources/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@nx': nx },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // @freeride/testing and the provider/OpenAI fakes are allowed by tag
          // nowhere, but specs and e2e tests of every project need them; the
          // no-restricted-imports block below keeps them out of non-test source.
          allow: [
            '@freeride/market-fakes',
            '@freeride/openai-fake',
            '@freeride/testing',
          ],
          banTransitiveDependencies: true,
          depConstraints: [
            {
              sourceTag: 'type:core',
              onlyDependOnLibsWithTags: ['type:core'],
              bannedExternalImports: ['@nestjs/*', 'nestjs-pino'],
            },
            {
              sourceTag: 'type:nest',
              onlyDependOnLibsWithTags: ['type:nest', 'type:core'],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:nest', 'type:core'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: [
                'type:core',
                'type:nest',
                'type:testing',
              ],
            },
            {
              sourceTag: 'scope:shared',
              onlyDependOnLibsWithTags: ['scope:shared'],
            },
            {
              sourceTag: 'scope:ingest',
              onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'],
            },
            {
              sourceTag: 'scope:anomaly',
              onlyDependOnLibsWithTags: ['scope:anomaly', 'scope:shared'],
            },
            {
              sourceTag: 'scope:market',
              onlyDependOnLibsWithTags: ['scope:market', 'scope:shared'],
            },
            {
              sourceTag: 'scope:trading',
              onlyDependOnLibsWithTags: ['scope:trading', 'scope:shared'],
            },
          ],
        },
      ],
    },
  },
  {
    // libs/testing may be imported only from specs, e2e tests and bench tools.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@freeride/market-fakes',
                '@freeride/openai-fake',
                '@freeride/testing',
              ],
              message:
                '@freeride/testing and the fakes are for spec files and e2e tests only.',
            },
            {
              // The one secondary entry point: telemetry start-up without pino or Nest.
              group: ['@freeride/*/*', '!@freeride/observability/telemetry'],
              message:
                'Import a lib only through its package entry (@freeride/<lib>).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      '@typescript-eslint/unbound-method': 'off',
      // supertest and JSON fixtures are untyped by nature; asserting on their
      // shape is the point of the test, so the unsafe-any family is noise here.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  prettier,
);
