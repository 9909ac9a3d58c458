import type { AlertCondition, TickCondition } from '@freeride/contracts';

import { EPSILON, type SymbolState } from '../engine/symbol-state';
import { BarSeries, type IndicatorSlot } from './bar-series';
import {
  Bollinger,
  Ema,
  Macd,
  Rsi,
  Sma,
  type StreamingIndicator,
} from './streaming-indicators';

/** Milliseconds of each indicator interval. */
export const INTERVAL_MS: Record<string, number> = {
  '15min': 900_000,
  '1min': 60_000,
  '30min': 1_800_000,
  '5min': 300_000,
  '60min': 3_600_000,
};

/** What a compiled condition reads on a tick. */
export interface TickContext {
  price: number;
  /** Previous accepted price of the symbol (undefined on its first tick). */
  prev: number | undefined;
  state: SymbolState;
}

/**
 * A condition compiled against one symbol: `evaluate` answers the matched
 * value (price, move, ratio, indicator value) or `undefined`; `release`
 * detaches its indicators.
 */
export interface CompiledCondition {
  evaluate: (ctx: TickContext) => number | undefined;
  /**
   * True when the condition can only hold on a tick that closes a bar (a
   * crossing of two indicator values): the engine asks it only then.
   */
  onClose?: boolean;
  release(): void;
  /** Longest tick-history window it needs, in ms. */
  windowMs: number;
}

type Slot<V> = IndicatorSlot<V>;

const crossedUp = (
  a0: number | undefined,
  b0: number | undefined,
  a: number | undefined,
  b: number | undefined,
): boolean =>
  a0 !== undefined && b0 !== undefined && a !== undefined && b !== undefined
    ? a0 < b0 && a >= b
    : false;

/**
 * Bar series and shared indicator instances of one symbol, and the compiler
 * of conditions that need more than a threshold index (channels, amounts,
 * indicators, compositions).
 */
export class SymbolSignals {
  readonly series = new Map<number, BarSeries>();
  private readonly seriesList: BarSeries[] = [];
  private readonly trackers: Array<(ctx: TickContext) => void> = [];

  /**
   * Advances every bar series by one tick (before conditions are evaluated);
   * answers whether a bar closed.
   */
  onTick(asOf: number, price: number): boolean {
    let closed = false;
    for (const s of this.seriesList) {
      if (s.onTick(asOf, price)) closed = true;
    }
    return closed;
  }

  /** The bar series of an interval, created on first use. */
  seriesOf(intervalMs: number): BarSeries {
    let s = this.series.get(intervalMs);
    if (!s) {
      s = new BarSeries(intervalMs);
      this.series.set(intervalMs, s);
      this.seriesList.push(s);
    }
    return s;
  }

  compile(condition: AlertCondition): CompiledCondition {
    if (condition.type === 'all' || condition.type === 'any') {
      const parts = condition.conditions.map((c) => this.compileTick(c));
      const all = condition.type === 'all';
      return {
        evaluate: (ctx) => {
          let first: number | undefined;
          for (const part of parts) {
            const v = part.evaluate(ctx);
            if (v === undefined && all) return undefined;
            if (v !== undefined && !all) return v;
            first ??= v;
          }
          return first;
        },
        // AND: true only when every part is, so on a close if any part is
        // only then; OR: only on a close if every part is.
        onClose: all
          ? parts.some((p) => p.onClose)
          : parts.every((p) => p.onClose),
        release: () => parts.forEach((p) => p.release()),
        windowMs: Math.max(...parts.map((p) => p.windowMs)),
      };
    }
    if (condition.type === 'sequence') return this.compileSequence(condition);
    if (
      condition.type === 'sentiment_above' ||
      condition.type === 'sentiment_below'
    ) {
      throw new TypeError(
        `${condition.type} is evaluated on signals, not ticks`,
      );
    }
    return this.compileTick(condition);
  }

  /**
   * Watches the conditions that need every tick, armed rule or not (the
   * first part of a sequence); called once per tick, after the bar series
   * advanced and before any condition is asked.
   */
  track(ctx: TickContext): void {
    for (const tracker of this.trackers) tracker(ctx);
  }

  /** Whether any condition needs {@link track} on every tick. */
  get tracking(): boolean {
    return this.trackers.length > 0;
  }

  /**
   * `then` on this tick, `first` on an earlier one at most `withinBars` bars
   * before: a tracker records the last tick `first` held on (every tick,
   * whether the rule is armed or cooling down), as it stood before this one.
   */
  private compileSequence(
    c: Extract<AlertCondition, { type: 'sequence' }>,
  ): CompiledCondition {
    const first = this.compileTick(c.first);
    const then = this.compileTick(c.then);
    const barMs = INTERVAL_MS[c.interval];
    const withinBars = c.withinBars;
    /** Tick time of the last tick `first` held on, before this tick / up to it. */
    let before: number | undefined;
    let last: number | undefined;
    const tracker = (ctx: TickContext) => {
      before = last;
      if (first.evaluate(ctx) !== undefined) last = ctx.state.lastAsOf;
    };
    this.trackers.push(tracker);
    return {
      evaluate: (ctx) => {
        if (before === undefined) return undefined;
        const v = then.evaluate(ctx);
        if (v === undefined) return undefined;
        const now = ctx.state.lastAsOf!;
        return Math.floor(now / barMs) - Math.floor(before / barMs) <=
          withinBars
          ? v
          : undefined;
      },
      onClose: then.onClose,
      release: () => {
        this.trackers.splice(this.trackers.indexOf(tracker), 1);
        first.release();
        then.release();
      },
      windowMs: Math.max(first.windowMs, then.windowMs),
    };
  }

  private use<V>(
    interval: string,
    key: string,
    create: () => StreamingIndicator<V>,
  ): { release: () => void; slot: Slot<V> } {
    const series = this.seriesOf(INTERVAL_MS[interval]);
    const slot = series.attach(key, create);
    return { release: () => series.detach(key), slot };
  }

  private compileTick(c: TickCondition): CompiledCondition {
    const none = (): void => undefined;
    const plain = (
      evaluate: (ctx: TickContext) => number | undefined,
      windowMs = 0,
    ): CompiledCondition => ({ evaluate, release: none, windowMs });
    switch (c.type) {
      case 'price_above':
        return plain(({ price }) => (price > c.threshold ? price : undefined));
      case 'price_below':
        return plain(({ price }) => (price < c.threshold ? price : undefined));
      case 'crossing_up':
        return plain(({ prev, price }) =>
          prev !== undefined && prev < c.threshold && c.threshold <= price
            ? price
            : undefined,
        );
      case 'crossing_down':
        return plain(({ prev, price }) =>
          prev !== undefined && prev > c.threshold && c.threshold >= price
            ? price
            : undefined,
        );
      case 'crossing':
        return plain(({ prev, price }) =>
          prev !== undefined &&
          ((prev < c.threshold && c.threshold <= price) ||
            (prev > c.threshold && c.threshold >= price))
            ? price
            : undefined,
        );
      case 'percent_move':
      case 'price_change': {
        const windowMs = c.windowSeconds * 1000;
        const limit = c.type === 'percent_move' ? c.percent : c.amount;
        return plain(({ state }) => {
          const move =
            c.type === 'percent_move'
              ? state.percentMove(windowMs)
              : state.priceChange(windowMs);
          if (move === undefined) return undefined;
          const signed = c.direction === 'up' ? move : -move;
          return signed > 0 && signed + EPSILON >= limit ? move : undefined;
        }, windowMs);
      }
      case 'volume_spike': {
        const windowMs = c.windowSeconds * 1000;
        return plain(({ state }) => {
          const ratio = state.volumeRatio(windowMs);
          return ratio !== undefined && ratio + EPSILON >= c.factor
            ? ratio
            : undefined;
        }, windowMs);
      }
      case 'channel': {
        const inside = (p: number) => c.lower <= p && p <= c.upper;
        return plain(({ prev, price }) => {
          const now = inside(price);
          switch (c.mode) {
            case 'inside':
              return now ? price : undefined;
            case 'outside':
              return now ? undefined : price;
            case 'entering':
              return prev !== undefined && !inside(prev) && now
                ? price
                : undefined;
            case 'exiting':
              return prev !== undefined && inside(prev) && !now
                ? price
                : undefined;
          }
        });
      }
      case 'price_vs_ma': {
        const { release, slot } = this.use(
          c.interval,
          `${c.ma}:${c.period}`,
          () => (c.ma === 'sma' ? new Sma(c.period) : new Ema(c.period)),
        );
        // One closure per operator, reading only the slot and the tick.
        const evaluators: Record<
          typeof c.op,
          (ctx: TickContext) => number | undefined
        > = {
          above: (ctx) => {
            const ma = slot.value;
            return ma !== undefined && ctx.price > ma ? ctx.price : undefined;
          },
          below: (ctx) => {
            const ma = slot.value;
            return ma !== undefined && ctx.price < ma ? ctx.price : undefined;
          },
          crossing_down: (ctx) => {
            const ma = slot.value;
            return ma !== undefined &&
              crossedUp(slot.prev, ctx.prev, ma, ctx.price)
              ? ctx.price
              : undefined;
          },
          crossing_up: (ctx) => {
            const ma = slot.value;
            return ma !== undefined &&
              crossedUp(ctx.prev, slot.prev, ctx.price, ma)
              ? ctx.price
              : undefined;
          },
        };
        return { evaluate: evaluators[c.op], release, windowMs: 0 };
      }
      case 'ma_cross': {
        const make = (period: number) =>
          this.use(c.interval, `${c.ma}:${period}`, () =>
            c.ma === 'sma' ? new Sma(period) : new Ema(period),
          );
        const fast = make(c.fast);
        const slow = make(c.slow);
        const f = fast.slot;
        const s = slow.slot;
        return {
          evaluate: () => {
            const hit =
              c.direction === 'up'
                ? crossedUp(f.prev, s.prev, f.value, s.value)
                : crossedUp(s.prev, f.prev, s.value, f.value);
            return hit ? f.value : undefined;
          },
          onClose: true,
          release: () => {
            fast.release();
            slow.release();
          },
          windowMs: 0,
        };
      }
      case 'rsi': {
        const { release, slot } = this.use(
          c.interval,
          `rsi:${c.period}`,
          () => new Rsi(c.period),
        );
        const level = c.level;
        const evaluators: Record<typeof c.op, () => number | undefined> = {
          above: () => {
            const r = slot.value;
            return r !== undefined && r > level ? r : undefined;
          },
          below: () => {
            const r = slot.value;
            return r !== undefined && r < level ? r : undefined;
          },
          crossing_down: () => {
            const r = slot.value;
            return r !== undefined && crossedUp(level, slot.prev, level, r)
              ? r
              : undefined;
          },
          crossing_up: () => {
            const r = slot.value;
            return r !== undefined && crossedUp(slot.prev, level, r, level)
              ? r
              : undefined;
          },
        };
        return {
          evaluate: evaluators[c.op],
          onClose: c.op === 'crossing_up' || c.op === 'crossing_down',
          release,
          windowMs: 0,
        };
      }
      case 'macd_cross': {
        const { release, slot } = this.use(
          c.interval,
          `macd:${c.fast}:${c.slow}:${c.signal}`,
          () => new Macd(c.fast, c.slow, c.signal),
        );
        return {
          evaluate: () => {
            const p = slot.prev;
            const v = slot.value;
            const hit =
              c.direction === 'up'
                ? crossedUp(p?.macd, p?.signal, v?.macd, v?.signal)
                : crossedUp(p?.signal, p?.macd, v?.signal, v?.macd);
            return hit ? v!.macd : undefined;
          },
          onClose: true,
          release,
          windowMs: 0,
        };
      }
      case 'bollinger_break': {
        const { release, slot } = this.use(
          c.interval,
          `bb:${c.period}:${c.stdDev}`,
          () => new Bollinger(c.period, c.stdDev),
        );
        const evaluate =
          c.band === 'upper'
            ? (ctx: TickContext) => {
                const p = slot.prev;
                const v = slot.value;
                return p &&
                  v &&
                  ctx.prev !== undefined &&
                  ctx.prev <= p.upper &&
                  ctx.price > v.upper
                  ? ctx.price
                  : undefined;
              }
            : (ctx: TickContext) => {
                const p = slot.prev;
                const v = slot.value;
                return p &&
                  v &&
                  ctx.prev !== undefined &&
                  ctx.prev >= p.lower &&
                  ctx.price < v.lower
                  ? ctx.price
                  : undefined;
              };
        return { evaluate, release, windowMs: 0 };
      }
    }
  }
}
