import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import type { TraderRequest } from './authenticated-trader';

/** Authenticates operator routes with `Authorization: Bearer <TRADING_ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(TRADING_CONFIG) config: TradingConfig) {
    this.expected = Buffer.from(`Bearer ${config.adminToken}`);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<TraderRequest>().headers[
      'authorization'
    ];
    const given = Buffer.from(typeof header === 'string' ? header : '');
    if (
      given.length !== this.expected.length ||
      !timingSafeEqual(given, this.expected)
    ) {
      throw new UnauthorizedException('admin token required');
    }
    return true;
  }
}
