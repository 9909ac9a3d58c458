import type { AnomalyEvent } from '@freeride/contracts';

import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  StreamableFile,
} from '@nestjs/common';

import { DetectionService } from './detection.service';

/** Firing anomalies; the `generatorURL` of every alert points here. */
@Controller('anomalies')
export class AnomaliesController {
  constructor(private readonly detection: DetectionService) {}

  @Get()
  list(): AnomalyEvent[] {
    return this.detection.firing();
  }

  /** A PNG chart of a metric anomaly's series; alerts link it (`chart_url`). */
  @Get(':key/chart.png')
  @Header('Content-Type', 'image/png')
  @Header('Cache-Control', 'no-store')
  chart(@Param('key') key: string): StreamableFile {
    const png = this.detection.chart(key);
    if (!png) {
      throw new NotFoundException(`no metric anomaly ${key} to chart`);
    }
    return new StreamableFile(png);
  }

  @Get(':key')
  get(@Param('key') key: string): AnomalyEvent {
    const found = this.detection.firing().find((event) => event.key === key);
    if (!found) throw new NotFoundException(`no firing anomaly ${key}`);
    return found;
  }
}
