import { QUOTE_PROVIDERS } from '@freeride/contracts';
import type {
  BreakerState,
  ProviderFailureKind,
  ProviderHealthSnapshot,
  ProviderName,
} from '@freeride/market-data';

import { ApiProperty } from '@nestjs/swagger';

class LatencyResponse {
  @ApiProperty({ nullable: true, type: Number }) p50!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p95!: number | null;
  @ApiProperty({ nullable: true, type: Number }) p99!: number | null;
}

/** Health of one provider. */
export class ProviderHealthResponse implements ProviderHealthSnapshot {
  @ApiProperty({ enum: ['closed', 'half_open', 'open'] })
  breaker!: BreakerState;
  @ApiProperty({
    description: 'Age (ms) of the newest price served',
    nullable: true,
    type: Number,
  })
  dataAgeMs!: number | null;
  @ApiProperty({ nullable: true, type: String })
  lastError!: ProviderFailureKind | null;
  @ApiProperty({ nullable: true, type: String }) lastFailureAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSuccessAt!: string | null;
  @ApiProperty({ type: LatencyResponse }) latencyMs!: LatencyResponse;
  @ApiProperty({ description: 'Share of plan capacity left, 0..1' })
  limiterHeadroom!: number;
  @ApiProperty({ enum: QUOTE_PROVIDERS }) provider!: ProviderName;
  @ApiProperty() samples!: number;
  @ApiProperty({
    description: 'breaker × successRate × latency × staleness, 0..1',
  })
  score!: number;
  @ApiProperty() successRate!: number;
  @ApiProperty() usableKeys!: number;
}
