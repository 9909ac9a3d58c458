import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import { createHash } from 'node:crypto';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import { OtlpRequestError } from './otlp.errors';

/** The request after authentication: which source sent it. */
export interface AuthenticatedRequest extends Request {
  freerideSource?: string;
}

const digest = (token: string) =>
  createHash('sha256').update(token).digest('hex');

/**
 * Authenticates each sender by its bearer token. Tokens are compared by
 * SHA-256 digest, so lookup time says nothing about how close a guess was.
 * Runs before the body is read: an unknown sender costs no body parsing.
 */
@Injectable()
export class OtlpAuthGuard implements CanActivate {
  private readonly sources: Map<string, string>;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig) {
    this.sources = new Map(
      [...config.tokens].map(([token, source]) => [digest(token), source]),
    );
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new OtlpRequestError(
        'unauthenticated',
        401,
        'missing bearer token: send Authorization: Bearer <token>',
      );
    }
    const source = this.sources.get(digest(match[1]));
    if (!source) {
      throw new OtlpRequestError(
        'unauthenticated',
        401,
        'unknown bearer token',
      );
    }
    req.freerideSource = source;
    return true;
  }
}
