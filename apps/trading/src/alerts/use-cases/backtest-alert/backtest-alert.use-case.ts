import { backtestRule } from '@freeride/trading-rules';

import { Injectable } from '@nestjs/common';

import { GatewayBarsClient } from '../../../evaluation/gateway-bars.client';
import type { BacktestResponse } from '../../dto/alert.response';
import type { BacktestAlertCommand } from './backtest-alert.command';

/** Replays a rule over the gateway's bars and answers when it would have fired. */
@Injectable()
export class BacktestAlertUseCase {
  constructor(private readonly gatewayBars: GatewayBarsClient) {}

  async execute({ request }: BacktestAlertCommand): Promise<BacktestResponse> {
    const from = request.from ? Date.parse(request.from) : -Infinity;
    const to = request.to ? Date.parse(request.to) : Infinity;
    const bars = (
      await this.gatewayBars.bars(request.symbol, request.interval)
    ).filter((b) => b.start >= from && b.start <= to);
    const fires = backtestRule(request, bars);
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      bars: bars.map((b) => ({ close: b.close, start: iso(b.start) })),
      fires: fires.map((f) => ({
        at: iso(f.at),
        price: f.price,
        value: f.value,
      })),
      interval: request.interval,
      symbol: request.symbol,
    };
  }
}
