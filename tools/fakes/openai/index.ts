export * from './openai.fake';
