export * from '@freeride/market-fakes';
export * from '@freeride/openai-fake';
