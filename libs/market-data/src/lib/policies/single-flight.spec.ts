import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('makes one call for concurrent requests with the same key', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    const fn = async (): Promise<number> => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return 42;
    };
    const results = await Promise.all(
      Array.from({ length: 100 }, () => flight.do('AAPL', fn)),
    );
    expect(calls).toBe(1);
    expect(results.filter((r) => !r.joined)).toHaveLength(1);
    expect(results.every((r) => r.value === 42)).toBe(true);
  });

  it('makes separate calls for different keys', async () => {
    const flight = new SingleFlight<string>();
    const seen: string[] = [];
    await Promise.all(
      ['A', 'B', 'A'].map((k) =>
        flight.do(k, () => Promise.resolve(k).then((v) => (seen.push(v), v))),
      ),
    );
    expect(seen.sort()).toEqual(['A', 'B']);
  });

  it('shares a failure with every joined caller and forgets it afterwards', async () => {
    const flight = new SingleFlight<number>();
    const boom = (): Promise<number> =>
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('boom')), 5),
      );
    const settled = await Promise.allSettled([
      flight.do('k', boom),
      flight.do('k', boom),
    ]);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(flight.size).toBe(0);
    await expect(flight.do('k', () => Promise.resolve(1))).resolves.toEqual({
      joined: false,
      value: 1,
    });
  });
});
