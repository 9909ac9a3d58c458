export { FakeBatchStore } from './batch-store';
export { chatCompletion } from './chat-completion';
export { fakeSentimentScore } from './fake-sentiment';
export * from './openai.fake';
