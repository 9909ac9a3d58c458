/** Options of {@link FlapSuppressor}. All durations are event time. */
export interface FlapSuppressorOptions {
  /**
   * Window in which fire/resolve cycles of one key are counted.
   * @default 600_000
   */
  readonly flapWindowMs?: number;
  /**
   * How long a firing key stays firing after its condition cleared
   * (Prometheus `keep_firing_for`): a dip shorter than this resolves nothing.
   * @default 60_000
   */
  readonly keepFiringForMs?: number;
  /**
   * A key that resolved this many times within `flapWindowMs` is flapping:
   * its keep-firing period grows to `flapWindowMs` (hold-down).
   * @default 3
   */
  readonly maxFlaps?: number;
  /**
   * How long a condition must hold before the key fires (Prometheus `for`).
   * 0 fires on the first evaluation.
   * @default 0
   */
  readonly pendingMs?: number;
}

/** A page-worthy change of one key, returned by {@link FlapSuppressor.evaluate}. */
export interface FlapTransition {
  /** Event time at which the condition started (fire) or cleared (resolve), epoch ms. */
  readonly atMs: number;
  /** The key, e.g. an anomaly key. */
  readonly key: string;
  /** Event time the key first became active in this episode, epoch ms. */
  readonly sinceMs: number;
  readonly type: 'fire' | 'resolve';
}

/**
 * A firing key as {@link FlapSuppressor.firingStates} gives it and
 * {@link FlapSuppressor.restoreFiring} takes it back: plain JSON.
 */
export interface FiringKeyState {
  readonly key: string;
  readonly lastActiveMs: number;
  readonly resolvedAtMs: readonly number[];
  readonly sinceMs: number;
}

/** State of one key, see {@link FlapSuppressor.state}. */
export type FlapState = 'firing' | 'inactive' | 'pending';

interface KeyState {
  lastActiveMs: number;
  resolvedAtMs: number[];
  sinceMs: number;
  state: FlapState;
}

const DEFAULTS: Required<FlapSuppressorOptions> = {
  flapWindowMs: 600_000,
  keepFiringForMs: 60_000,
  maxFlaps: 3,
  pendingMs: 0,
};

/**
 * Turns a stream of "which keys are anomalous now" evaluations into fire and
 * resolve transitions, with a pending period, keep-firing-for hysteresis and
 * a hold-down for keys that flap. Driven by event time only, so a replay at
 * any speed gives the same transitions.
 *
 * inactive ─active→ pending ─active ≥ pendingMs→ firing
 * pending ─inactive→ inactive (no page)
 * firing ─inactive ≥ keepFiringFor (or flapWindow when flapping)→ inactive (resolve)
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export class FlapSuppressor {
  private readonly keys = new Map<string, KeyState>();
  private readonly options: Required<FlapSuppressorOptions>;

  constructor(options: FlapSuppressorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Evaluates every known key at event time `atMs`: keys in `active` are
   * anomalous now, every other known key is not.
   */
  evaluate(atMs: number, active: ReadonlySet<string>): FlapTransition[] {
    const transitions: FlapTransition[] = [];
    for (const key of active) {
      if (!this.keys.has(key)) {
        this.keys.set(key, {
          lastActiveMs: atMs,
          resolvedAtMs: [],
          sinceMs: atMs,
          state: 'inactive',
        });
      }
    }
    for (const [key, state] of this.keys) {
      const transition = active.has(key)
        ? this.onActive(key, state, atMs)
        : this.onInactive(key, state, atMs);
      if (transition) transitions.push(transition);
    }
    return transitions;
  }

  /** Keys currently firing. */
  firing(): string[] {
    return [...this.keys]
      .filter(([, state]) => state.state === 'firing')
      .map(([key]) => key);
  }

  /** The keys firing now with what keeps them firing, to hand them to another instance. */
  firingStates(): FiringKeyState[] {
    return [...this.keys]
      .filter(([, state]) => state.state === 'firing')
      .map(([key, state]) => ({
        key,
        lastActiveMs: state.lastActiveMs,
        resolvedAtMs: [...state.resolvedAtMs],
        sinceMs: state.sinceMs,
      }));
  }

  /**
   * Takes firing keys over from another instance: they stay firing (no new
   * `fire`) while active, and resolve after the keep-firing period once not.
   */
  restoreFiring(states: readonly FiringKeyState[]): void {
    for (const { key, lastActiveMs, resolvedAtMs, sinceMs } of states) {
      this.keys.set(key, {
        lastActiveMs,
        resolvedAtMs: [...resolvedAtMs],
        sinceMs,
        state: 'firing',
      });
    }
  }

  /** State of one key; `inactive` for an unknown key. */
  state(key: string): FlapState {
    return this.keys.get(key)?.state ?? 'inactive';
  }

  private onActive(
    key: string,
    state: KeyState,
    atMs: number,
  ): FlapTransition | undefined {
    state.lastActiveMs = atMs;
    if (state.state === 'inactive') {
      state.state = 'pending';
      state.sinceMs = atMs;
    }
    if (
      state.state === 'pending' &&
      atMs - state.sinceMs >= this.options.pendingMs
    ) {
      state.state = 'firing';
      return { atMs: state.sinceMs, key, sinceMs: state.sinceMs, type: 'fire' };
    }
    return undefined;
  }

  private onInactive(
    key: string,
    state: KeyState,
    atMs: number,
  ): FlapTransition | undefined {
    if (state.state === 'pending') {
      state.state = 'inactive';
      return undefined;
    }
    if (state.state !== 'firing') {
      if (
        state.resolvedAtMs.every((t) => atMs - t >= this.options.flapWindowMs)
      ) {
        this.keys.delete(key);
      }
      return undefined;
    }
    state.resolvedAtMs = state.resolvedAtMs.filter(
      (t) => atMs - t < this.options.flapWindowMs,
    );
    const flapping = state.resolvedAtMs.length >= this.options.maxFlaps;
    const keepFor = flapping
      ? Math.max(this.options.flapWindowMs, this.options.keepFiringForMs)
      : this.options.keepFiringForMs;
    if (atMs - state.lastActiveMs < keepFor) return undefined;
    state.state = 'inactive';
    state.resolvedAtMs.push(atMs);
    return {
      atMs: state.lastActiveMs,
      key,
      sinceMs: state.sinceMs,
      type: 'resolve',
    };
  }
}
