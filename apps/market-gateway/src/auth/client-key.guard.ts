import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';

import { CLIENT_KEYS } from '../market-data/market-data.constants';
import type { ClientKeyRegistry } from './client-keys';

/** Routes open without a client key: probes, scrapes and the API docs. */
const OPEN = /^\/(health|metrics|docs)(\/|-|$)/;

/**
 * Global guard: when client keys are configured, every API route needs
 * `Authorization: Bearer <client key>`; the client's name goes on the
 * request (`req.client`) for quotas and logs.
 */
@Injectable()
export class ClientKeyGuard implements CanActivate {
  constructor(@Inject(CLIENT_KEYS) private readonly keys: ClientKeyRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.keys.enabled) return true;
    const req = context
      .switchToHttp()
      .getRequest<Request & { client?: string }>();
    if (OPEN.test(req.path)) return true;
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedException('missing bearer client key');
    const client = this.keys.identify(header);
    if (!client) throw new UnauthorizedException('unknown client key');
    req.client = client;
    return true;
  }
}
