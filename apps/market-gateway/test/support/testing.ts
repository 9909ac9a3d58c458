// E2E support re-exports the real-server helpers of @freeride/testing
// (test code only; app source may not import them).
export * from '@freeride/testing';
