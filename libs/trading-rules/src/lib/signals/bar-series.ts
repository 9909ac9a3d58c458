import type { StreamingIndicator } from './streaming-indicators';

/** Closes kept per series, so an indicator added later starts warm. */
export const BAR_HISTORY = 1000;

/** One indicator instance shared by every rule with the same parameters. */
export class IndicatorSlot<V = unknown> {
  /** Value before the last bar close. */
  before: V | undefined;
  /** Rules using it; the slot goes when the last one does. */
  users = 0;
  /** Value as of this tick (closed bars only). */
  value: V | undefined;

  constructor(
    readonly indicator: StreamingIndicator<V>,
    private readonly series: BarSeries,
  ) {
    this.value = indicator.value;
    this.before = this.value;
  }

  /**
   * Value as of the previous tick of the symbol: the value before the close
   * on the tick that closed a bar, the current value on any other tick (so a
   * tick costs nothing per slot).
   */
  get prev(): V | undefined {
    return this.series.closedOnLastTick ? this.before : this.value;
  }
}

/**
 * Bars of one width built from one symbol's ticks (aligned to epoch), feeding
 * the indicators attached to them. A bar closes at the first tick of a later
 * bar; only closed bars reach the indicators, so an indicator's value changes
 * at most once per bar: a tick that closes no bar costs O(1) whatever the
 * number of indicators, one that closes a bar O(1) per indicator.
 */
export class BarSeries {
  /** Whether the last tick closed a bar (the slots' `prev` differs from `value` only then). */
  closedOnLastTick = false;
  private current?: { bucket: number; close: number };
  private readonly history: number[] = [];
  private lastClosedBucket = -Infinity;
  readonly slots = new Map<string, IndicatorSlot>();

  constructor(readonly intervalMs: number) {}

  /** Feeds a tick; returns whether it closed a bar. */
  onTick(asOf: number, price: number): boolean {
    const bucket = Math.floor(asOf / this.intervalMs);
    const current = this.current;
    let closed = false;
    if (bucket <= this.lastClosedBucket) {
      // A bar already closed (seeded from history, or replayed after a
      // restart): feeding it again would count it twice.
      this.closedOnLastTick = false;
      return false;
    }
    if (current && bucket > current.bucket) {
      this.close(current.bucket, current.close);
      closed = true;
    }
    if (!current || bucket > current.bucket) {
      this.current = { bucket, close: price };
    } else {
      current.close = price;
    }
    if (closed) {
      for (const slot of this.slots.values()) {
        slot.before = slot.value;
        slot.value = slot.indicator.value;
      }
    }
    this.closedOnLastTick = closed;
    return closed;
  }

  /**
   * Feeds bars from history (the gateway's `/v1/bars`), oldest first: only
   * bars after the last closed one, before the bar being built from ticks,
   * and complete at `until` (epoch ms) are taken.
   */
  seed(
    bars: ReadonlyArray<{ close: number; start: number }>,
    until: number,
  ): number {
    let taken = 0;
    for (const bar of bars) {
      const bucket = Math.floor(bar.start / this.intervalMs);
      if (bucket <= this.lastClosedBucket) continue;
      if (this.current && bucket >= this.current.bucket) break;
      if ((bucket + 1) * this.intervalMs > until) break;
      this.close(bucket, bar.close);
      taken++;
    }
    for (const slot of this.slots.values()) {
      slot.value = slot.indicator.value;
      slot.before = slot.value;
    }
    this.closedOnLastTick = false;
    return taken;
  }

  /** The shared slot of `key`, created (and warmed from history) by `create`. */
  attach<V>(
    key: string,
    create: () => StreamingIndicator<V>,
  ): IndicatorSlot<V> {
    let slot = this.slots.get(key) as IndicatorSlot<V> | undefined;
    if (!slot) {
      const indicator = create();
      for (const close of this.history) indicator.update(close);
      slot = new IndicatorSlot(indicator, this);
      this.slots.set(key, slot);
    }
    slot.users++;
    return slot;
  }

  /** Releases one use of a slot. */
  detach(key: string): void {
    const slot = this.slots.get(key);
    if (slot && --slot.users <= 0) this.slots.delete(key);
  }

  private close(bucket: number, close: number): void {
    this.lastClosedBucket = bucket;
    this.history.push(close);
    if (this.history.length > BAR_HISTORY * 2) {
      this.history.splice(0, this.history.length - BAR_HISTORY);
    }
    for (const slot of this.slots.values()) slot.indicator.update(close);
  }
}
