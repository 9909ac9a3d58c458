import type { AnomalyEvent } from '@freeride/contracts';

import { Controller, Get, NotFoundException, Param } from '@nestjs/common';

import { DetectionService } from './detection.service';

/** Firing anomalies; the `generatorURL` of every alert points here. */
@Controller('anomalies')
export class AnomaliesController {
  constructor(private readonly detection: DetectionService) {}

  @Get()
  list(): AnomalyEvent[] {
    return this.detection.firing();
  }

  @Get(':key')
  get(@Param('key') key: string): AnomalyEvent {
    const found = this.detection.firing().find((event) => event.key === key);
    if (!found) throw new NotFoundException(`no firing anomaly ${key}`);
    return found;
  }
}
