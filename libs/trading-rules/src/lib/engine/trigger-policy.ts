import type { AlertTrigger } from '@freeride/contracts';

/**
 * Tick time at which a rule that fired at `asOf` re-arms, or `undefined` when
 * it stays armed (`every_time` without cooldown). `once` rules never re-arm
 * (the caller removes them), which is signalled by `null`.
 */
export function rearmTime(
  trigger: AlertTrigger,
  asOf: number,
): number | null | undefined {
  switch (trigger.mode) {
    case 'once':
      return null;
    case 'once_per_bar': {
      const barMs = trigger.barSeconds * 1000;
      return (Math.floor(asOf / barMs) + 1) * barMs;
    }
    case 'every_time':
      return trigger.cooldownSeconds > 0
        ? asOf + trigger.cooldownSeconds * 1000
        : undefined;
  }
}

/** Builds the idempotency key of one firing (see `RuleFire.idempotencyKey`). */
export function fireKey(
  ruleId: string,
  symbol: string,
  asOf: number,
  metric: 'price' | 'sentiment',
): string {
  return metric === 'price'
    ? `${ruleId}:${symbol}@${asOf}`
    : `${ruleId}:sentiment:${symbol}@${asOf}`;
}
