import { classifyBulkItem } from './bulk-item-outcome';

describe('classifyBulkItem', () => {
  it.each([
    [201, 'indexed'],
    [200, 'indexed'],
    [409, 'duplicate'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'dead_letter'],
    [404, 'dead_letter'],
  ])('classifies status %i as %s', (status, outcome) => {
    expect(classifyBulkItem(status)).toBe(outcome);
  });
});
