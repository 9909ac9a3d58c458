import { WaitForTimeoutError, waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value of the predicate', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? 'ready' : ''), {
      intervalMs: 5,
    });
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('treats a throwing predicate as not ready yet', async () => {
    let calls = 0;
    await expect(
      waitFor(
        () => {
          calls += 1;
          if (calls < 2) throw new Error('boom');
          return true;
        },
        { intervalMs: 5 },
      ),
    ).resolves.toBe(true);
  });

  it('throws a timeout error naming the description and the last error', async () => {
    const attempt = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { description: 'the moon', intervalMs: 5, timeoutMs: 50 },
    );
    await expect(attempt).rejects.toBeInstanceOf(WaitForTimeoutError);
    await expect(attempt).rejects.toThrow(
      /waiting for the moon \(last error: connection refused\)/,
    );
  });
});
