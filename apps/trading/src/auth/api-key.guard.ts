import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

import { hashApiKey } from './api-key';
import type {
  AuthenticatedTrader,
  TraderRequest,
} from './authenticated-trader';
import { TradersRepository } from './traders.repository';

const CACHE_TTL_MS = 30_000;

/** Authenticates `Authorization: Bearer <trader api key>` against the stored hash. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<
    string,
    { at: number; trader: AuthenticatedTrader }
  >();

  constructor(private readonly traders: TradersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<TraderRequest>();
    const header = req.headers['authorization'];
    const match =
      typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException('missing bearer API key');
    }
    const hash = hashApiKey(match[1]);
    const cached = this.cache.get(hash);
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) {
      req.trader = cached.trader;
      return true;
    }
    const trader = await this.traders.findByKeyHash(hash);
    if (!trader) {
      throw new UnauthorizedException('unknown API key');
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { at: Date.now(), trader });
    req.trader = trader;
    return true;
  }
}
