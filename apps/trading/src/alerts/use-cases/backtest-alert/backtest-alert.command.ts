import {
  type BacktestRequest,
  BacktestRequestSchema,
} from '@freeride/contracts';

import { InvalidAlertRuleError } from '../../alerts.errors';

/** A validated backtest request (the body is validated once, here). */
export class BacktestAlertCommand {
  private constructor(readonly request: BacktestRequest) {}

  /** @throws InvalidAlertRuleError naming every bad field as `path: reason` */
  static create(body: unknown): BacktestAlertCommand {
    const parsed = BacktestRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new InvalidAlertRuleError(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    return new BacktestAlertCommand(parsed.data);
  }
}
