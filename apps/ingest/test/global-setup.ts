export { esGlobalSetup as default } from '@freeride/testing';
