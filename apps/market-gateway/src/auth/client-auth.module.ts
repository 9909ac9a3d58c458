import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { ClientKeyGuard } from './client-key.guard';

/**
 * The client key guard, global. Imported after `RateLimitModule`, so the
 * per-address limit runs first and floods of wrong keys are limited too.
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: ClientKeyGuard }] })
export class ClientAuthModule {}
