// E2E support may use the real-server helpers; the boundary rule keeps them
// out of app source, and this file is test code only.
// eslint-disable-next-line @nx/enforce-module-boundaries
export * from '@freeride/testing';
