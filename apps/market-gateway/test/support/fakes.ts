export * from '@freeride/market-fakes';
