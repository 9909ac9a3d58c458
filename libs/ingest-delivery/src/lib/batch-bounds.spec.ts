import { BatchReadBounds } from './batch-bounds';

describe('BatchReadBounds', () => {
  it('reads up to the entry bound before any entry was seen', () => {
    expect(new BatchReadBounds(200, 5_000_000).count()).toBe(200);
  });

  it('asks for as many entries of the average size as fit in the byte bound', () => {
    const bounds = new BatchReadBounds(200, 5_000_000);
    bounds.observe([400_000, 400_000]);
    expect(bounds.count()).toBe(12);
    expect(bounds.count(10, 4_000_000)).toBe(2);
  });

  it('keeps the entry bound for small entries', () => {
    const bounds = new BatchReadBounds(200, 5_000_000);
    bounds.observe([1_000]);
    expect(bounds.count()).toBe(200);
    expect(bounds.count(150, 150_000)).toBe(50);
  });

  it('reads at least one entry into an empty batch, none once a bound is reached', () => {
    const bounds = new BatchReadBounds(200, 5_000_000);
    bounds.observe([20_000_000]);
    expect(bounds.count()).toBe(1);
    expect(bounds.count(1, 20_000_000)).toBe(0);
    expect(bounds.count(200, 0)).toBe(0);
  });

  it('ends a started batch when another entry of the average size would not fit', () => {
    const bounds = new BatchReadBounds(200, 5_000_000);
    bounds.observe([400_000]);
    expect(bounds.count(12, 4_800_000)).toBe(0);
    expect(bounds.count(11, 4_400_000)).toBe(1);
  });

  it('follows the entry size as it changes', () => {
    const bounds = new BatchReadBounds(200, 1_000_000);
    bounds.observe([10_000]);
    expect(bounds.count()).toBe(100);
    bounds.observe(Array.from({ length: 30 }, () => 100_000));
    expect(bounds.count()).toBe(10);
  });
});
