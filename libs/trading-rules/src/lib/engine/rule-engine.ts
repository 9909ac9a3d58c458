import type { IndicatorInterval } from '@freeride/contracts';

import {
  type CompiledCondition,
  INTERVAL_MS,
  SymbolSignals,
  type TickContext,
} from '../signals/symbol-signals';
import type {
  EvaluableRule,
  EvaluationResult,
  RuleEvaluator,
  RuleFire,
  RuleRuntimeState,
  SignalUpdate,
  Tick,
} from './engine.types';
import { SortedMultimap } from './sorted-multimap';
import { EPSILON, SymbolState } from './symbol-state';
import { fireKey, rearmTime } from './trigger-policy';

interface Entry<R> {
  /** Conditions evaluated by scanning (channels, indicators, compositions). */
  compiled?: CompiledCondition;
  /** `compiled.evaluate`, one hop nearer for the scan of every tick. */
  evaluate?: CompiledCondition['evaluate'];
  key: number;
  rearmAt?: number;
  rule: R;
  slot: SortedMultimap<Entry<R>>;
}

/** Rules of one percent-move or volume window. */
interface WindowSlot<R> {
  slot: SortedMultimap<Entry<R>>;
  windowMs: number;
}

/** Per-symbol indexes: one sorted structure per condition family. */
class SymbolBook<R> {
  /** The context compiled conditions read, reused from tick to tick. */
  readonly ctx: TickContext;
  readonly crossDown = new SortedMultimap<Entry<R>>();
  readonly crossUp = new SortedMultimap<Entry<R>>();
  /** Armed rules with a compiled condition (key 0), scanned on every tick. */
  readonly scanned = new SortedMultimap<Entry<R>>();
  /** Armed rules whose compiled condition can only hold when a bar closes (key 0), scanned then. */
  readonly scannedOnClose = new SortedMultimap<Entry<R>>();
  readonly signals = new SymbolSignals();
  readonly percentDown: Array<WindowSlot<R>> = [];
  readonly percentUp: Array<WindowSlot<R>> = [];
  readonly priceAbove = new SortedMultimap<Entry<R>>();
  readonly priceBelow = new SortedMultimap<Entry<R>>();
  readonly rearm = new SortedMultimap<Entry<R>>();
  readonly sentimentAbove = new SortedMultimap<Entry<R>>();
  readonly sentimentBelow = new SortedMultimap<Entry<R>>();
  readonly state = new SymbolState();
  readonly volume: Array<WindowSlot<R>> = [];

  constructor() {
    this.ctx = { prev: undefined, price: 0, state: this.state };
  }
}

function windowSlot<R>(
  list: Array<WindowSlot<R>>,
  windowMs: number,
): SortedMultimap<Entry<R>> {
  let found = list.find((w) => w.windowMs === windowMs);
  if (!found) {
    found = { slot: new SortedMultimap(), windowMs };
    list.push(found);
  }
  return found.slot;
}

/** The answer to a tick or signal that changed nothing (shared, frozen). */
const NOTHING: EvaluationResult<never> = Object.freeze({
  expired: Object.freeze([]) as unknown as never[],
  fired: Object.freeze([]) as unknown as never[],
});

/**
 * The event-driven rule engine. Per symbol, armed rules sit in sorted
 * structures keyed by their threshold, so a tick costs O(log n + fired):
 * a level rule is found by a half-open range, a crossing by the range between
 * the previous and the current price (so a gap over the threshold fires), and
 * rules in cooldown or waiting for the next bar are out of the indexes
 * (in a re-arm structure keyed by tick time) so they cost nothing.
 *
 * Semantics (all times are tick times, `asOf`):
 * - a tick not newer than the symbol's last tick is ignored (duplicate or
 *   out of order), so a replayed stream fires nothing twice;
 * - `price_above`/`price_below` are strict; `crossing_up` fires when
 *   `prev < threshold <= price`, `crossing_down` when `prev > threshold >= price`;
 * - a rule past `expiresAt` is removed and reported in `expired`.
 */
export class RuleEngine<
  R extends EvaluableRule = EvaluableRule,
> implements RuleEvaluator<R> {
  private readonly books = new Map<string, SymbolBook<R>>();
  private readonly entries = new Map<string, Entry<R>>();
  /** Rules matched by the tick being evaluated, and their matched values (reused). */
  private readonly matched: Array<Entry<R>> = [];
  private readonly matchedValues: number[] = [];

  get ruleCount(): number {
    return this.entries.size;
  }

  /** Adds (or replaces) a rule; `state.rearmAt` restores a cooldown. */
  addRule(rule: R, state: RuleRuntimeState = {}): void {
    this.removeRule(rule.id);
    const book = this.book(rule.symbol);
    const { compiled, key, slot } = this.slotOf(book, rule);
    const entry: Entry<R> = {
      compiled,
      evaluate: compiled?.evaluate,
      key,
      rule,
      slot,
    };
    this.entries.set(rule.id, entry);
    if (state.rearmAt !== undefined) {
      entry.rearmAt = state.rearmAt;
      book.rearm.add(state.rearmAt, rule.id, entry);
    } else {
      slot.add(key, rule.id, entry);
    }
  }

  /** Removes a rule wherever it is; returns whether it existed. */
  removeRule(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.slot.delete(entry.key, id);
    entry.compiled?.release();
    if (entry.rearmAt !== undefined) {
      this.books.get(entry.rule.symbol)?.rearm.delete(entry.rearmAt, id);
    }
    return true;
  }

  /** How many symbols have rules, and the most rules one symbol has. */
  symbolStats(): { maxRulesPerSymbol: number; symbols: number } {
    const counts = new Map<string, number>();
    for (const { rule } of this.entries.values()) {
      counts.set(rule.symbol, (counts.get(rule.symbol) ?? 0) + 1);
    }
    let max = 0;
    for (const n of counts.values()) max = Math.max(max, n);
    return { maxRulesPerSymbol: max, symbols: counts.size };
  }

  /** Runtime state of a rule (for persistence), or undefined if unknown. */
  ruleState(id: string): RuleRuntimeState | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    return entry.rearmAt === undefined ? {} : { rearmAt: entry.rearmAt };
  }

  /** Last accepted price and tick time of a symbol. */
  symbolState(symbol: string): { lastAsOf?: number; lastPrice?: number } {
    const state = this.books.get(symbol)?.state;
    return { lastAsOf: state?.lastAsOf, lastPrice: state?.lastPrice };
  }

  /**
   * Feeds a tick into the symbol's state without evaluating rules: used to
   * warm up crossings and windows after a restart from already-processed ticks.
   */
  warmUp(tick: Tick): void {
    const book = this.book(tick.symbol);
    if (book.state.admit(tick.asOf) === undefined) {
      const prev = book.state.lastPrice;
      book.state.push(tick.asOf, tick.price, tick.volume ?? 0);
      book.signals.onTick(tick.asOf, tick.price);
      if (book.signals.tracking) {
        book.ctx.prev = prev;
        book.ctx.price = tick.price;
        book.signals.track(book.ctx);
      }
    }
  }

  /**
   * Seeds a symbol's bars of one interval from history (oldest first; see
   * `BarSeries.seed`); returns how many bars were taken.
   */
  seedBars(
    symbol: string,
    interval: IndicatorInterval,
    bars: ReadonlyArray<{ close: number; start: number }>,
    until: number,
  ): number {
    return this.book(symbol)
      .signals.seriesOf(INTERVAL_MS[interval])
      .seed(bars, until);
  }

  /**
   * Evaluates a tick. Allocation-free unless a rule fires: the matched rules
   * are gathered in arrays reused from tick to tick, and a tick that fires
   * nothing answers one shared (frozen) empty result.
   */
  onTick(tick: Tick): EvaluationResult<R> {
    const book = this.book(tick.symbol);
    const state = book.state;
    const asOf = tick.asOf;
    const rejected = state.admit(asOf);
    if (rejected) return { expired: [], fired: [], rejected };
    const prev = state.lastPrice;
    const price = tick.price;
    state.push(asOf, price, tick.volume ?? 0);
    const closed = book.signals.onTick(asOf, price);
    const ctx = book.ctx;
    ctx.prev = prev;
    ctx.price = price;
    if (book.signals.tracking) book.signals.track(ctx);
    this.rearmDue(book, asOf);

    this.matched.length = 0;
    this.matchedValues.length = 0;
    if (book.priceAbove.size > 0) {
      this.match(book.priceAbove, -Infinity, false, price, false, price);
    }
    if (book.priceBelow.size > 0) {
      this.match(book.priceBelow, price, false, Infinity, false, price);
    }
    if (prev !== undefined && price > prev && book.crossUp.size > 0) {
      this.match(book.crossUp, prev, false, price, true, price);
    }
    if (prev !== undefined && price < prev && book.crossDown.size > 0) {
      this.match(book.crossDown, price, true, prev, false, price);
    }
    for (const { slot, windowMs } of book.percentUp) {
      if (slot.size === 0) continue;
      const move = state.percentMove(windowMs);
      if (move !== undefined && move > 0) {
        this.match(slot, -Infinity, false, move + EPSILON, true, move);
      }
    }
    for (const { slot, windowMs } of book.percentDown) {
      if (slot.size === 0) continue;
      const move = state.percentMove(windowMs);
      if (move !== undefined && move < 0) {
        this.match(slot, -Infinity, false, -move + EPSILON, true, move);
      }
    }
    for (const { slot, windowMs } of book.volume) {
      if (slot.size === 0) continue;
      const ratio = state.volumeRatio(windowMs);
      if (ratio !== undefined) {
        this.match(slot, -Infinity, false, ratio + EPSILON, true, ratio);
      }
    }
    if (book.scanned.size > 0) this.scan(book.scanned, ctx);
    if (closed && book.scannedOnClose.size > 0) {
      this.scan(book.scannedOnClose, ctx);
    }
    if (this.matched.length === 0) return NOTHING;
    return this.settle(book, asOf, 'price', price);
  }

  onSignal(update: SignalUpdate): EvaluationResult<R> {
    const book = this.book(update.symbol);
    const state = book.state;
    const rejected = state.admitSignal(update.asOf, update.value);
    if (rejected) return { expired: [], fired: [], rejected };
    this.rearmDue(book, update.asOf);
    const value = update.value;
    this.matched.length = 0;
    this.matchedValues.length = 0;
    this.match(book.sentimentAbove, -Infinity, false, value, false, value);
    this.match(book.sentimentBelow, value, false, Infinity, false, value);
    if (this.matched.length === 0) return NOTHING;
    return this.settle(book, update.asOf, 'sentiment');
  }

  /** Asks every compiled condition of `slot` and adds those that hold to the matches. */
  private scan(slot: SortedMultimap<Entry<R>>, ctx: TickContext): void {
    for (const entry of slot.at(0)) {
      const value = entry.evaluate!(ctx);
      if (value !== undefined) {
        this.matched.push(entry);
        this.matchedValues.push(value);
      }
    }
  }

  /** Adds the rules of `slot` whose key lies in the range to the matches, each with `value`. */
  private match(
    slot: SortedMultimap<Entry<R>>,
    lo: number,
    loInclusive: boolean,
    hi: number,
    hiInclusive: boolean,
    value: number,
  ): void {
    const from = this.matched.length;
    slot.collect(lo, loInclusive, hi, hiInclusive, this.matched);
    for (let i = from; i < this.matched.length; i++) {
      this.matchedValues.push(value);
    }
  }

  private book(symbol: string): SymbolBook<R> {
    let book = this.books.get(symbol);
    if (!book) {
      book = new SymbolBook<R>();
      this.books.set(symbol, book);
    }
    return book;
  }

  private rearmDue(book: SymbolBook<R>, asOf: number): void {
    // Most ticks re-arm nothing: compare with the earliest re-arm time first.
    const first = book.rearm.minKey();
    if (first === undefined || first > asOf) return;
    for (const entry of book.rearm.range({ hi: asOf, hiInclusive: true })) {
      book.rearm.delete(entry.rearmAt!, entry.rule.id);
      entry.rearmAt = undefined;
      entry.slot.add(entry.key, entry.rule.id, entry);
    }
  }

  /** Applies expiry and trigger modes to the matched rules. */
  private settle(
    book: SymbolBook<R>,
    asOf: number,
    metric: 'price' | 'sentiment',
    price?: number,
  ): EvaluationResult<R> {
    const result: EvaluationResult<R> = { expired: [], fired: [] };
    const matched = this.matched;
    for (let i = 0; i < matched.length; i++) {
      const entry = matched[i];
      const rule = entry.rule;
      if (rule.expiresAt !== undefined && rule.expiresAt <= asOf) {
        this.removeRule(rule.id);
        result.expired.push(rule);
        continue;
      }
      const rearmAt = rearmTime(rule.trigger, asOf);
      const fire: RuleFire<R> = {
        asOf,
        idempotencyKey: fireKey(rule.id, rule.symbol, asOf, metric),
        rule,
        value: this.matchedValues[i],
      };
      if (price !== undefined) fire.price = price;
      if (rearmAt === null) {
        this.removeRule(rule.id);
      } else if (rearmAt !== undefined) {
        entry.slot.delete(entry.key, rule.id);
        entry.rearmAt = rearmAt;
        book.rearm.add(rearmAt, rule.id, entry);
        fire.rearmAt = rearmAt;
      }
      result.fired.push(fire);
    }
    return result;
  }

  private slotOf(
    book: SymbolBook<R>,
    rule: R,
  ): {
    compiled?: CompiledCondition;
    key: number;
    slot: SortedMultimap<Entry<R>>;
  } {
    const c = rule.condition;
    switch (c.type) {
      case 'price_above':
        return { key: c.threshold, slot: book.priceAbove };
      case 'price_below':
        return { key: c.threshold, slot: book.priceBelow };
      case 'crossing_up':
        return { key: c.threshold, slot: book.crossUp };
      case 'crossing_down':
        return { key: c.threshold, slot: book.crossDown };
      case 'percent_move': {
        const windowMs = c.windowSeconds * 1000;
        book.state.maxWindowMs = Math.max(book.state.maxWindowMs, windowMs);
        const map = c.direction === 'up' ? book.percentUp : book.percentDown;
        return { key: c.percent, slot: windowSlot(map, windowMs) };
      }
      case 'volume_spike': {
        const windowMs = c.windowSeconds * 1000;
        book.state.maxWindowMs = Math.max(book.state.maxWindowMs, windowMs);
        return { key: c.factor, slot: windowSlot(book.volume, windowMs) };
      }
      case 'sentiment_above':
        return { key: c.threshold, slot: book.sentimentAbove };
      case 'sentiment_below':
        return { key: c.threshold, slot: book.sentimentBelow };
      default: {
        const compiled = book.signals.compile(c);
        book.state.maxWindowMs = Math.max(
          book.state.maxWindowMs,
          compiled.windowMs,
        );
        return {
          compiled,
          key: 0,
          slot: compiled.onClose ? book.scannedOnClose : book.scanned,
        };
      }
    }
  }
}
