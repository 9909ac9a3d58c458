import { TemplateMiner } from '@freeride/detectors';
import type { TemplateMinerState } from '@freeride/detectors';

import type { FiringKeyState } from '../flap/flap-suppressor';
import type { FiringSnapshot } from './firing-anomalies';
import type { ServiceLogStates } from './service-log-state';

/**
 * What an engine keeps across a restart ({@link AnomalyEngine.snapshot}):
 * the mined templates and the start of each service's warm-up, so a
 * restarted instance neither re-learns its vocabulary nor mistakes known
 * templates for new ones; and the anomalies firing, with the event time, so
 * the instance that takes a partition over keeps re-posting them and
 * resolves them (rather than letting them expire in Alertmanager or paging
 * them a second time). Rate baselines are re-learned. Plain JSON; the
 * `firing` part is optional, so snapshots written before it still restore.
 */
export interface AnomalyEngineSnapshot {
  /** Event time when the snapshot was taken, epoch ms. */
  readonly eventTimeMs?: number;
  readonly firing?: {
    readonly anomalies: readonly FiringSnapshot[];
    readonly keys: readonly FiringKeyState[];
  };
  readonly services: readonly {
    readonly firstSeenMs: number;
    readonly miner: TemplateMinerState;
    readonly service: string;
    readonly templates: readonly (readonly [
      id: string,
      template: string,
      activeBuckets: number,
    ])[];
  }[];
  readonly version: 1;
}

/** The snapshot of every service's log state. */
export function snapshotServices(
  services: ServiceLogStates,
): AnomalyEngineSnapshot {
  return {
    services: [...services.entries()].map(([service, state]) => ({
      firstSeenMs: state.firstSeenMs,
      miner: state.miner.toJSON(),
      service,
      templates: [...state.templates].map(
        ([id, info]) => [id, info.template, info.activeBuckets] as const,
      ),
    })),
    version: 1,
  };
}

/**
 * Restores a snapshot into fresh service states: each service's miner, its
 * warm-up start, and its known templates (which the new-template detector
 * then knows, so they are not new again).
 */
export function restoreServices(
  services: ServiceLogStates,
  snapshot: AnomalyEngineSnapshot,
): void {
  for (const saved of snapshot.services) {
    const state = services.getOrCreate(
      saved.service,
      saved.firstSeenMs,
      TemplateMiner.fromJSON(saved.miner),
    );
    for (const [id, template, activeBuckets] of saved.templates) {
      state.fresh.observe({ templateId: id, timestampMs: saved.firstSeenMs });
      state.templates.set(id, {
        activeBuckets,
        lastBucketMs: Number.NaN,
        samples: [],
        template,
      });
    }
  }
}
