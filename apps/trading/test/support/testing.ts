// One entry to libs/testing for the e2e support code and specs, as apps/anomaly does.
export * from '@freeride/testing';
