export * from './alpha-vantage.fake';
export * from './fake-server';
export * from './finnhub.fake';
export * from './polygon.fake';
