// Shared jest settings: SWC transpiles TypeScript (with decorator metadata for Nest).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // The provider and OpenAI fakes (Nx projects under tools/fakes).
    '^@freeride/market-fakes$': '<rootDir>/../../tools/fakes/market/index.ts',
    '^@freeride/openai-fake$': '<rootDir>/../../tools/fakes/openai/index.ts',
    // Every workspace lib, through its one public entry.
    '^@freeride/([a-z-]+)$': '<rootDir>/../../libs/$1/src/index.ts',
    '^@freeride/observability/telemetry$':
      '<rootDir>/../../libs/observability/src/telemetry.ts',
  },
};
