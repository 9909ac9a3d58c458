import {
  type CreateAlertRule,
  CreateAlertRuleSchema,
} from '@freeride/contracts';

import { InvalidAlertRuleError } from '../../alerts.errors';

/** A validated request to create a rule for a trader (novu-style self-validating command). */
export class CreateAlertCommand {
  private constructor(
    readonly traderId: string,
    readonly rule: CreateAlertRule,
  ) {}

  /**
   * Validates the body against the shared contract (ranges, URL, dates).
   * @throws InvalidAlertRuleError naming every bad field as `path: reason`
   */
  static create(
    traderId: string,
    body: unknown,
    now = Date.now(),
  ): CreateAlertCommand {
    const parsed = CreateAlertRuleSchema.safeParse(body);
    if (!parsed.success) {
      throw new InvalidAlertRuleError(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      );
    }
    const { expiresAt } = parsed.data;
    if (expiresAt !== undefined && Date.parse(expiresAt) <= now) {
      throw new InvalidAlertRuleError(['expiresAt: must be in the future']);
    }
    return new CreateAlertCommand(traderId, parsed.data);
  }
}
