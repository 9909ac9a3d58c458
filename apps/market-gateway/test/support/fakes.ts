// The provider fakes live in tools/fakes/market (not an Nx project), as issue 4 asks.
// eslint-disable-next-line @nx/enforce-module-boundaries
export * from '../../../../tools/fakes/market';
