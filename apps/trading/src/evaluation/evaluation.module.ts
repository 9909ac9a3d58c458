import { Module } from '@nestjs/common';

import { DeliveriesModule } from '../deliveries/deliveries.module';
import { EvaluationMetrics } from './evaluation.metrics';
import { EvaluationRepository } from './evaluation.repository';
import { EvaluationService } from './evaluation.service';
import { EvaluatorLeasesService } from './evaluator-leases.service';
import { GatewayBarsClient } from './gateway-bars.client';
import { QuoteStreamReader } from './quote-stream.reader';
import { RuleBookService } from './rule-book.service';
import { RuleSyncService } from './rule-sync.service';

/** Event-driven evaluation of the quote stream against the rule book. */
@Module({
  exports: [EvaluationService, GatewayBarsClient, RuleBookService],
  imports: [DeliveriesModule],
  providers: [
    EvaluationMetrics,
    EvaluationRepository,
    EvaluationService,
    EvaluatorLeasesService,
    GatewayBarsClient,
    QuoteStreamReader,
    RuleBookService,
    RuleSyncService,
  ],
})
export class EvaluationModule {}
