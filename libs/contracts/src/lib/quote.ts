import { z } from 'zod';

/** Providers the market-data gateway can serve a quote from. */
export const QUOTE_PROVIDERS = ['alphavantage', 'finnhub', 'polygon'] as const;

/** Name of a market-data provider. */
export type QuoteProvider = (typeof QUOTE_PROVIDERS)[number];

/**
 * One price observation as the market-data gateway serves it (REST) and
 * publishes it (the `freeride:quotes` stream).
 *
 * A quote always says who served it and how old it is: `asOf` is the
 * provider's own timestamp of the price, `receivedAt` when the gateway got it
 * from the provider, `ageMs` how old the price was when this copy was made,
 * and `stale` is true when `ageMs` exceeded the gateway's freshness limit.
 */
export const QuoteSchema = z.object({
  /** Age of the price in milliseconds (`now - asOf`) when this copy was made. */
  ageMs: z.number().int().nonnegative(),
  /** ISO-8601 UTC instant of the price according to the provider. */
  asOf: z.iso.datetime(),
  /** True when the copy came from the gateway's cache rather than a provider call. */
  cached: z.boolean().default(false),
  /** Last trade or current price, in the instrument's quote currency. */
  price: z.number().positive(),
  /** Which provider served this price. */
  provider: z.enum(QUOTE_PROVIDERS),
  /** ISO-8601 UTC instant at which the gateway received the price from the provider. */
  receivedAt: z.iso.datetime(),
  /** True when the price is older than the gateway's freshness limit: never treat it as live. */
  stale: z.boolean(),
  /** Upper-case ticker, e.g. `AAPL`. */
  symbol: z.string().min(1),
  /** Size of the trade or day volume, when the provider gives one. */
  volume: z.number().nonnegative().optional(),
});

/** A validated quote. */
export type Quote = z.infer<typeof QuoteSchema>;

/**
 * Fields of one message on the {@link QUOTE_STREAM_KEY} Redis stream.
 * Every value is a string (Redis stream fields are strings).
 */
export const QuoteStreamMessageSchema = z.object({
  /** `quote`. */
  kind: z.literal('quote'),
  /** JSON of a {@link Quote}. */
  payload: z.string(),
  /** Unix epoch milliseconds at which the gateway published the message. */
  producedAt: z.coerce.number().int().nonnegative(),
  /** Upper-case ticker, duplicated from the payload for cheap filtering. */
  symbol: z.string().min(1),
  /** W3C trace context of the publishing span. */
  traceparent: z.string().optional(),
});

/** A validated quote stream message. */
export type QuoteStreamMessage = z.infer<typeof QuoteStreamMessageSchema>;

/** Redis stream on which the market-data gateway publishes every quote tick. */
export const QUOTE_STREAM_KEY = 'freeride:quotes';

/** The flat field list as a record (the last value of a repeated field). */
function fieldRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    record[fields[i]] = fields[i + 1];
  }
  return record;
}

/**
 * Parses the flat field list of an `XREAD`/`XREADGROUP` entry into a quote.
 * Throws a `ZodError` naming the bad field when the message or its payload
 * is not a valid quote.
 */
export function parseQuoteStreamFields(fields: readonly string[]): {
  message: QuoteStreamMessage;
  quote: Quote;
} {
  const message = QuoteStreamMessageSchema.parse(fieldRecord(fields));
  const quote = QuoteSchema.parse(JSON.parse(message.payload));
  return { message, quote };
}

/** What a consumer of the quote stream evaluates: one tick of one entry. */
export interface QuoteStreamTick {
  /** `asOf` of the quote, epoch milliseconds. */
  asOf: number;
  price: number;
  /** `producedAt` of the message, epoch milliseconds. */
  producedAt: number;
  stale: boolean;
  symbol: string;
  traceparent?: string;
  volume?: number;
}

/** zod's own `z.iso.datetime()` pattern, so the fast path accepts no instant zod would refuse. */
const ISO_DATETIME = z.regexes.datetime({});
const PROVIDERS: ReadonlySet<unknown> = new Set(QUOTE_PROVIDERS);
const DIGITS = /^\d{1,15}$/; // below 2^53: a safe integer

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digit at `i` of `s` (0-9), or -1. */
function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** `n` digits of `s` from `i` as a number, or -1 when one is not a digit. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const d = digitAt(s, k);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Epoch milliseconds of an instant in the exact form `toISOString` writes
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, a real calendar date), without a regular
 * expression or `Date.parse` (together about half of a tick's parse time);
 * `NaN` for any other string, which the caller checks the slow way. Every
 * string this accepts is one zod's `z.iso.datetime()` accepts, and the
 * answer is `Date.parse`'s.
 */
export function canonicalInstantMs(s: string): number {
  if (
    s.length !== 24 ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  ) {
    return NaN;
  }
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const sec = digitsAt(s, 17, 2);
  const ms = digitsAt(s, 20, 3);
  if (y < 0 || ms < 0 || mo < 1 || mo > 12 || d < 1) return NaN;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1])) return NaN;
  // Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms;
}

/** Epoch ms of an instant zod's `z.iso.datetime()` accepts; `NaN` when it does not. */
function instantMs(s: string): number {
  const ms = canonicalInstantMs(s);
  if (!Number.isNaN(ms)) return ms;
  return ISO_DATETIME.test(s) ? Date.parse(s) : NaN;
}

/**
 * The tick of quote `q` (a parsed JSON value) when it passes the schema's
 * checks as the gateway writes it; `undefined` when it does not as is (an
 * error, or a form zod would coerce or default), for the caller to decide
 * the slow way.
 */
function wellFormedTick(
  q: unknown,
  producedAt: number,
  traceparent: string | undefined,
): QuoteStreamTick | undefined {
  if (typeof q !== 'object' || q === null || Array.isArray(q)) return undefined;
  const r = q as Record<string, unknown>;
  const asOf = typeof r['asOf'] === 'string' ? instantMs(r['asOf']) : NaN;
  if (
    Number.isNaN(asOf) ||
    typeof r['ageMs'] !== 'number' ||
    !Number.isSafeInteger(r['ageMs']) ||
    r['ageMs'] < 0 ||
    (r['cached'] !== undefined && typeof r['cached'] !== 'boolean') ||
    typeof r['price'] !== 'number' ||
    !(r['price'] > 0) ||
    !PROVIDERS.has(r['provider']) ||
    typeof r['receivedAt'] !== 'string' ||
    Number.isNaN(instantMs(r['receivedAt'])) ||
    typeof r['stale'] !== 'boolean' ||
    typeof r['symbol'] !== 'string' ||
    r['symbol'].length === 0 ||
    (r['volume'] !== undefined &&
      (typeof r['volume'] !== 'number' || !(r['volume'] >= 0)))
  ) {
    return undefined;
  }
  const tick: QuoteStreamTick = {
    asOf,
    price: r['price'],
    producedAt,
    stale: r['stale'],
    symbol: r['symbol'],
    // Always present (maybe undefined): one object shape for every tick.
    traceparent,
    volume: r['volume'],
  };
  return tick;
}

/** The tick of a quote the schema accepted. */
function tickOf(
  quote: Quote,
  producedAt: number,
  traceparent: string | undefined,
): QuoteStreamTick {
  const tick: QuoteStreamTick = {
    asOf: Date.parse(quote.asOf),
    price: quote.price,
    producedAt,
    stale: quote.stale,
    symbol: quote.symbol,
    traceparent,
    volume: quote.volume,
  };
  return tick;
}

/**
 * {@link parseQuoteStreamFields} for a hot consumer: the same acceptance
 * (every field of the message and of its quote is checked), without zod's
 * per-call cost for the well-formed entries the gateway writes. An entry the
 * hand-written checks do not accept as is (an error, or a form zod would
 * coerce or default) goes through {@link parseQuoteStreamFields}, which
 * decides and throws the same `ZodError` (or `SyntaxError`) naming the field.
 */
export function readQuoteStreamTick(
  fields: readonly string[],
): QuoteStreamTick {
  let kind: string | undefined;
  let payload: string | undefined;
  let producedAt: string | undefined;
  let symbol: string | undefined;
  let traceparent: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case 'kind':
        kind = value;
        break;
      case 'payload':
        payload = value;
        break;
      case 'producedAt':
        producedAt = value;
        break;
      case 'symbol':
        symbol = value;
        break;
      case 'traceparent':
        traceparent = value;
        break;
    }
  }
  if (
    kind === 'quote' &&
    typeof payload === 'string' &&
    typeof symbol === 'string' &&
    symbol.length > 0 &&
    producedAt !== undefined &&
    DIGITS.test(producedAt)
  ) {
    const tick = wellFormedTick(
      JSON.parse(payload),
      Number(producedAt),
      traceparent,
    );
    if (tick) return tick;
  }
  const { message, quote } = parseQuoteStreamFields(fields);
  return tickOf(quote, message.producedAt, message.traceparent);
}

/**
 * Fields of a `quotes` entry of the {@link QUOTE_STREAM_KEY} stream: the
 * quotes of one provider message (a websocket frame carries many trades),
 * published together. One entry instead of one per quote is a fraction of
 * the stream's cost per tick for Redis and for every reader; each quote
 * keeps its own trace.
 */
export const QuoteBatchStreamMessageSchema = z.object({
  /** `quotes`. */
  kind: z.literal('quotes'),
  /** JSON array of {@link Quote}s, oldest first. */
  payload: z.string(),
  /** Unix epoch milliseconds at which the gateway published the message. */
  producedAt: z.coerce.number().int().nonnegative(),
  /**
   * W3C trace context of each quote's publishing span, comma-separated, in
   * the order of `payload` (an empty item: none). Absent when none has one.
   */
  traceparents: z.string().optional(),
});

/** A validated `quotes` stream message. */
export type QuoteBatchStreamMessage = z.infer<
  typeof QuoteBatchStreamMessageSchema
>;

/** Most quotes the gateway writes in one `quotes` entry. */
export const MAX_QUOTES_PER_ENTRY = 500;

/**
 * The field list of one stream entry holding `quotes` (in order, each with
 * its traceparent at the same index): a `quote` entry for one, a `quotes`
 * entry for several. The gateway writes entries with it, and so do the benches.
 */
export function quoteStreamFields(
  quotes: readonly Quote[],
  producedAt: number,
  traceparents: readonly (string | undefined)[] = [],
): string[] {
  if (quotes.length === 0) throw new RangeError('no quote to publish');
  if (quotes.length === 1) {
    const fields = [
      'kind',
      'quote',
      'symbol',
      quotes[0].symbol,
      'payload',
      JSON.stringify(quotes[0]),
      'producedAt',
      String(producedAt),
    ];
    if (traceparents[0]) fields.push('traceparent', traceparents[0]);
    return fields;
  }
  const fields = [
    'kind',
    'quotes',
    'payload',
    JSON.stringify(quotes),
    'producedAt',
    String(producedAt),
  ];
  if (traceparents.some(Boolean)) {
    fields.push(
      'traceparents',
      quotes.map((_, i) => traceparents[i] ?? '').join(','),
    );
  }
  return fields;
}

/** One quote of a stream entry, as the schemas read it. */
export interface QuoteStreamEntryQuote {
  quote: Quote;
  traceparent?: string;
}

/** The traceparent list of a `quotes` message, checked against its quote count. */
function traceparentList(
  traceparents: string | undefined,
  count: number,
): (string | undefined)[] {
  if (traceparents === undefined) return new Array<undefined>(count);
  const list = traceparents.split(',');
  if (list.length !== count) {
    throw new z.ZodError([
      {
        code: 'custom',
        input: traceparents,
        message: `traceparents has ${list.length} items for ${count} quotes`,
        path: ['traceparents'],
      },
    ]);
  }
  return list.map((t) => t || undefined);
}

/**
 * Parses any entry of the quote stream (`quote` or `quotes`) with the
 * schemas: its publish time and every quote with its traceparent. Throws a
 * `ZodError` naming the field (`payload[3].price` for a batch) when the
 * message or any of its quotes is invalid.
 */
export function parseQuoteStreamEntry(fields: readonly string[]): {
  producedAt: number;
  quotes: QuoteStreamEntryQuote[];
} {
  const record = fieldRecord(fields);
  if (record['kind'] !== 'quotes') {
    const { message, quote } = parseQuoteStreamFields(fields);
    return {
      producedAt: message.producedAt,
      quotes: [{ quote, traceparent: message.traceparent }],
    };
  }
  const message = QuoteBatchStreamMessageSchema.parse(record);
  const parsed = z
    .array(QuoteSchema)
    .min(1)
    .safeParse(JSON.parse(message.payload));
  if (!parsed.success) {
    throw new z.ZodError(
      parsed.error.issues.map((issue) => ({
        ...issue,
        path: ['payload', ...issue.path],
      })),
    );
  }
  const quotes = parsed.data;
  const traceparents = traceparentList(message.traceparents, quotes.length);
  return {
    producedAt: message.producedAt,
    quotes: quotes.map((quote, i) => ({ quote, traceparent: traceparents[i] })),
  };
}

/**
 * Every tick of a quote stream entry, `quote` or `quotes`, with the
 * acceptance of {@link parseQuoteStreamEntry} and the speed of
 * {@link readQuoteStreamTick}. A malformed entry (its kind, publish time,
 * payload or traceparent list) throws as the schemas do; an invalid quote
 * inside a valid `quotes` entry is reported to `onInvalid` with its index
 * and skipped, and the entry's other quotes are read. With `wanted`, only
 * the ticks of symbols it accepts are answered; in a `quotes` entry the
 * others are left out unchecked (another reader's, which checks and counts
 * them).
 */
export function readQuoteStreamTicks(
  fields: readonly string[],
  onInvalid: (err: unknown, index: number) => void,
  wanted?: (symbol: string) => boolean,
): QuoteStreamTick[] {
  let kind: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'kind') kind = fields[i + 1];
  }
  if (kind !== 'quotes') {
    const tick = readQuoteStreamTick(fields);
    return wanted === undefined || wanted(tick.symbol) ? [tick] : [];
  }
  const message = QuoteBatchStreamMessageSchema.parse(fieldRecord(fields));
  const items: unknown = JSON.parse(message.payload);
  if (!Array.isArray(items) || items.length === 0) {
    // Throws the schemas' own error for the payload.
    parseQuoteStreamEntry(fields);
  }
  const list = items as unknown[];
  const traceparents = traceparentList(message.traceparents, list.length);
  const ticks: QuoteStreamTick[] = [];
  for (let i = 0; i < list.length; i++) {
    if (wanted !== undefined) {
      const symbol = (list[i] as { symbol?: unknown } | null)?.symbol;
      if (typeof symbol === 'string' && !wanted(symbol)) continue;
    }
    const tick = wellFormedTick(list[i], message.producedAt, traceparents[i]);
    if (tick) {
      ticks.push(tick);
      continue;
    }
    const parsed = QuoteSchema.safeParse(list[i]);
    if (parsed.success) {
      ticks.push(tickOf(parsed.data, message.producedAt, traceparents[i]));
    } else {
      onInvalid(parsed.error, i);
    }
  }
  return ticks;
}
