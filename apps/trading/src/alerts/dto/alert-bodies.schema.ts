import {
  BacktestRequestSchema,
  CreateAlertRuleSchema,
} from '@freeride/contracts';

import type { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

type BodySchema = Extract<
  Parameters<typeof ApiBody>[0],
  { schema: unknown }
>['schema'];

/**
 * The OpenAPI schema of `POST /v1/alerts`, generated from the zod contract
 * that validates the body (in `CreateAlertCommand`): one definition, so the
 * documentation and the validation cannot disagree.
 */
export const CREATE_ALERT_BODY = z.toJSONSchema(CreateAlertRuleSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as BodySchema;

/** The OpenAPI schema of `POST /v1/alerts/backtest`, from its zod contract. */
export const BACKTEST_BODY = z.toJSONSchema(BacktestRequestSchema, {
  io: 'input',
  unrepresentable: 'any',
}) as BodySchema;
