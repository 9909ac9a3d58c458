import type { IndicatorInterval } from '@freeride/contracts';
import type { ReplayBar } from '@freeride/trading-rules';

import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';
import { BarsUnavailableError } from './gateway-bars.errors';

const BarsBody = z.object({
  bars: z.array(
    z.object({
      close: z.number().finite(),
      start: z.iso.datetime({ offset: true }),
    }),
  ),
});

/** Reads intraday bars from the market gateway (`GET /v1/bars/:symbol`). */
@Injectable()
export class GatewayBarsClient {
  constructor(@Inject(TRADING_CONFIG) private readonly config: TradingConfig) {}

  /** Bars oldest first, `start` in epoch ms. */
  async bars(
    symbol: string,
    interval: IndicatorInterval,
  ): Promise<ReplayBar[]> {
    const timeoutMs = this.config.gatewayTimeoutMs;
    const url = `${this.config.gatewayUrl}/v1/bars/${encodeURIComponent(symbol)}?interval=${interval}`;
    const details = { interval, symbol, timeoutMs };
    let res: Response;
    try {
      const { gatewayToken } = this.config;
      res = await fetch(url, {
        headers: gatewayToken
          ? { authorization: `Bearer ${gatewayToken}` }
          : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new BarsUnavailableError(details, err);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new BarsUnavailableError({ ...details, status: res.status });
    }
    const parsed = BarsBody.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      throw new BarsUnavailableError(
        { ...details, status: res.status },
        parsed.error,
      );
    }
    return parsed.data.bars
      .map((b) => ({ close: b.close, start: Date.parse(b.start) }))
      .sort((a, b) => a.start - b.start);
  }
}
