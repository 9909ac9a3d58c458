import {
  CircuitOpenError,
  SymbolNotFoundError,
  UpstreamError,
} from '../market-data.errors';
import { type BreakerState, ProviderCircuitBreaker } from './circuit-breaker';

const fail = (): Promise<never> =>
  Promise.reject(
    new UpstreamError('finnhub', { reason: 'server error', status: 500 }),
  );
const ok = (): Promise<string> => Promise.resolve('ok');

describe('ProviderCircuitBreaker', () => {
  it('opens after the configured consecutive failures and refuses calls', async () => {
    const breaker = new ProviderCircuitBreaker({
      failureThreshold: 3,
      halfOpenAfterMs: 60_000,
      provider: 'finnhub',
    });
    for (let i = 0; i < 3; i++)
      await expect(breaker.execute(fail)).rejects.toThrow(UpstreamError);
    expect(breaker.state).toBe('open');
    let called = false;
    await expect(
      breaker.execute(() => {
        called = true;
        return ok();
      }),
    ).rejects.toThrow(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('does not open on errors that say nothing about provider health', async () => {
    const breaker = new ProviderCircuitBreaker({
      failureThreshold: 2,
      provider: 'finnhub',
    });
    for (let i = 0; i < 5; i++) {
      await expect(
        breaker.execute(() =>
          Promise.reject(new SymbolNotFoundError('finnhub')),
        ),
      ).rejects.toThrow(SymbolNotFoundError);
    }
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through when half-open and closes when it succeeds', async () => {
    const states: BreakerState[] = [];
    const breaker = new ProviderCircuitBreaker({
      failureThreshold: 1,
      halfOpenAfterMs: 30,
      onStateChange: (s) => states.push(s),
      provider: 'polygon',
    });
    await expect(breaker.execute(fail)).rejects.toThrow(UpstreamError);
    await new Promise((r) => setTimeout(r, 40));
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('reopens when the half-open probe fails', async () => {
    const breaker = new ProviderCircuitBreaker({
      failureThreshold: 1,
      halfOpenAfterMs: 20,
      provider: 'polygon',
    });
    await expect(breaker.execute(fail)).rejects.toThrow(UpstreamError);
    await new Promise((r) => setTimeout(r, 30));
    await expect(breaker.execute(fail)).rejects.toThrow(UpstreamError);
    expect(breaker.state).toBe('open');
  });

  it('fails fast for other callers while the half-open probe is in flight', async () => {
    const breaker = new ProviderCircuitBreaker({
      failureThreshold: 1,
      halfOpenAfterMs: 10,
      provider: 'polygon',
    });
    await expect(breaker.execute(fail)).rejects.toThrow(UpstreamError);
    await new Promise((r) => setTimeout(r, 20));
    const probe = breaker.execute(
      () => new Promise((r) => setTimeout(() => r('probe'), 30)),
    );
    await expect(breaker.execute(ok)).rejects.toThrow(CircuitOpenError);
    await expect(probe).resolves.toBe('probe');
  });
});
