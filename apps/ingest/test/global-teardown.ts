export { esGlobalTeardown as default } from '@freeride/testing';
