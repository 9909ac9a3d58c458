// One entry for the e2e tests' real-server helpers (HOUSE_STYLE rule 17).
export * from '@freeride/testing';
