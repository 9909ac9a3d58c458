import type { StreamingIndicator } from './streaming-indicators';

/** Closes kept per series, so an indicator added later starts warm. */
export const BAR_HISTORY = 1000;

/** One indicator instance shared by every rule with the same parameters. */
export interface IndicatorSlot<V = unknown> {
  readonly indicator: StreamingIndicator<V>;
  /** Value as of the previous tick of the symbol. */
  prev: V | undefined;
  /** Value as of this tick (closed bars only). */
  value: V | undefined;
  /** Rules using it; the slot goes when the last one does. */
  users: number;
}

/**
 * Bars of one width built from one symbol's ticks (aligned to epoch), feeding
 * the indicators attached to them. A bar closes at the first tick of a later
 * bar; only closed bars reach the indicators, so an indicator costs O(1) per
 * tick and its value changes at most once per bar.
 */
export class BarSeries {
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
      for (const slot of this.slots.values()) slot.prev = slot.value;
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
    for (const slot of this.slots.values()) {
      slot.prev = slot.value;
      if (closed) slot.value = slot.indicator.value;
    }
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
      slot.prev = slot.value;
    }
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
      slot = {
        indicator,
        prev: indicator.value,
        users: 0,
        value: indicator.value,
      };
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
