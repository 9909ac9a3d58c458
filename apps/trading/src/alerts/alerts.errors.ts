import { FreerideError } from '@freeride/contracts';

/** A rule that passed the DTO but breaks a contract rule (ranges, dates). */
export class InvalidAlertRuleError extends FreerideError {
  constructor(readonly problems: string[]) {
    super(problems.join('; '), {
      code: 'INVALID_ALERT_RULE',
      details: { fields: problems.map((p) => p.split(':')[0]) },
      httpStatus: 400,
    });
  }
}

/** No rule with this id belongs to the calling trader. */
export class AlertNotFoundError extends FreerideError {
  constructor(id: string) {
    super('alert not found', {
      code: 'ALERT_NOT_FOUND',
      details: { id },
      httpStatus: 404,
    });
  }
}
