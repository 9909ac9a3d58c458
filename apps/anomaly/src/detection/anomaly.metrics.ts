import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';

/** Metrics of the anomaly app; labels are bounded (signal, outcome, kind, status, partition stream). */
export class AnomalyMetrics {
  readonly alertsPosted: Counter<'outcome' | 'status'>;
  readonly anomalies: Counter<'kind' | 'severity' | 'status'>;
  readonly documents: Counter<'outcome'>;
  readonly eventTimeClamped: Counter<'signal'>;
  readonly eventTimeLag: Gauge;
  readonly firing: Gauge<'kind'>;
  readonly records: Counter<'outcome' | 'signal'>;
  readonly streamLag: Gauge<'stream'>;

  constructor(registry: Registry, prefix: string) {
    const registers = [registry];
    this.alertsPosted = new Counter({
      help: 'Alerts posted to Alertmanager, by anomaly status and outcome',
      labelNames: ['outcome', 'status'],
      name: `${prefix}alerts_posted_total`,
      registers,
    });
    this.anomalies = new Counter({
      help: 'Anomalies that fired or resolved, by kind and severity',
      labelNames: ['kind', 'severity', 'status'],
      name: `${prefix}anomalies_total`,
      registers,
    });
    this.documents = new Counter({
      help: 'Anomaly documents written to Elasticsearch, by outcome',
      labelNames: ['outcome'],
      name: `${prefix}documents_written_total`,
      registers,
    });
    this.eventTimeClamped = new Counter({
      help: 'Records whose timestamp lay too far from the wall clock to move event time, by signal',
      labelNames: ['signal'],
      name: `${prefix}event_time_clamped_total`,
      registers,
    });
    this.eventTimeLag = new Gauge({
      help: 'Wall clock minus the event time of the detectors, in seconds',
      name: `${prefix}event_time_lag_seconds`,
      registers,
    });
    this.firing = new Gauge({
      help: 'Anomalies firing now, by kind',
      labelNames: ['kind'],
      name: `${prefix}firing_anomalies`,
      registers,
    });
    this.records = new Counter({
      help: 'Stream records consumed, by signal and outcome',
      labelNames: ['outcome', 'signal'],
      name: `${prefix}records_consumed_total`,
      registers,
    });
    this.streamLag = new Gauge({
      help: 'Entries of a record stream not yet delivered to the anomaly group',
      labelNames: ['stream'],
      name: `${prefix}stream_lag_entries`,
      registers,
    });
  }
}
