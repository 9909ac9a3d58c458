// The workspace boundary rule lets type:app projects depend on nest/core libs
// only and has no exception for their e2e tests, which HOUSE_STYLE rule 17 says
// start real servers through libs/testing: this one re-export is that exception.
// eslint-disable-next-line @nx/enforce-module-boundaries
export * from '@freeride/testing';
