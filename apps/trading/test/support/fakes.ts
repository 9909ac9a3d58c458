// The provider and OpenAI fakes live in tools/fakes (not Nx projects), as issues 4 and 5 ask.
// eslint-disable-next-line @nx/enforce-module-boundaries
export * from '../../../../tools/fakes/market';
// eslint-disable-next-line @nx/enforce-module-boundaries
export * from '../../../../tools/fakes/openai';
