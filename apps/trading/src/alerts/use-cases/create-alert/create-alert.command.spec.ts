import { InvalidAlertRuleError } from '../../alerts.errors';
import { CreateAlertCommand } from './create-alert.command';

const VALID = {
  condition: { threshold: 100, type: 'crossing_up' },
  delivery: { webhookUrl: 'http://127.0.0.1:9999/hook' },
  symbol: 'AAPL',
  trigger: { mode: 'once' },
};

function problems(body: unknown): string[] {
  try {
    CreateAlertCommand.create('t1', body, Date.UTC(2026, 0, 1));
  } catch (err) {
    if (err instanceof InvalidAlertRuleError) return err.problems;
    throw err;
  }
  return [];
}

describe('CreateAlertCommand', () => {
  it('accepts a valid crossing rule', () => {
    expect(CreateAlertCommand.create('t1', VALID).rule.symbol).toBe('AAPL');
  });

  it.each([
    [
      'a negative price threshold',
      { ...VALID, condition: { threshold: -1, type: 'price_above' } },
      'condition.threshold',
    ],
    [
      'a sentiment threshold above 1',
      { ...VALID, condition: { threshold: 2, type: 'sentiment_above' } },
      'condition.threshold',
    ],
    [
      'a spike factor of 1',
      {
        ...VALID,
        condition: { factor: 1, type: 'volume_spike', windowSeconds: 60 },
      },
      'condition.factor',
    ],
    [
      'an ftp webhook',
      { ...VALID, delivery: { webhookUrl: 'ftp://x.test/hook' } },
      'delivery.webhookUrl',
    ],
    [
      'a past expiry',
      { ...VALID, expiresAt: '2025-01-01T00:00:00Z' },
      'expiresAt',
    ],
    ['a lower-case symbol', { ...VALID, symbol: 'aapl' }, 'symbol'],
    [
      'an unknown trigger mode',
      { ...VALID, trigger: { mode: 'sometimes' } },
      'trigger.mode',
    ],
  ])('rejects %s naming the field', (_case, body, field) => {
    expect(problems(body).map((p) => p.split(':')[0])).toContain(field);
  });
});
