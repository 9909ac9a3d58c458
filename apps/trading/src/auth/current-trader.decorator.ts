import { type ExecutionContext, createParamDecorator } from '@nestjs/common';

import type {
  AuthenticatedTrader,
  TraderRequest,
} from './authenticated-trader';

/** The trader authenticated by {@link ApiKeyGuard}. */
export const CurrentTrader = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedTrader => {
    const trader = ctx.switchToHttp().getRequest<TraderRequest>().trader;
    if (!trader)
      throw new Error('CurrentTrader used on a route without ApiKeyGuard');
    return trader;
  },
);
