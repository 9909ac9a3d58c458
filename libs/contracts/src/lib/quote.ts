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

/**
 * Parses the flat field list of an `XREAD`/`XREADGROUP` entry into a quote.
 * Throws a `ZodError` naming the bad field when the message or its payload
 * is not a valid quote.
 */
export function parseQuoteStreamFields(fields: readonly string[]): {
  message: QuoteStreamMessage;
  quote: Quote;
} {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    record[fields[i]] = fields[i + 1];
  }
  const message = QuoteStreamMessageSchema.parse(record);
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
    const q = JSON.parse(payload) as Record<string, unknown> | null;
    if (
      typeof q === 'object' &&
      q !== null &&
      !Array.isArray(q) &&
      typeof q['ageMs'] === 'number' &&
      Number.isSafeInteger(q['ageMs']) &&
      q['ageMs'] >= 0 &&
      typeof q['asOf'] === 'string' &&
      ISO_DATETIME.test(q['asOf']) &&
      (q['cached'] === undefined || typeof q['cached'] === 'boolean') &&
      typeof q['price'] === 'number' &&
      q['price'] > 0 &&
      PROVIDERS.has(q['provider']) &&
      typeof q['receivedAt'] === 'string' &&
      ISO_DATETIME.test(q['receivedAt']) &&
      typeof q['stale'] === 'boolean' &&
      typeof q['symbol'] === 'string' &&
      q['symbol'].length > 0 &&
      (q['volume'] === undefined ||
        (typeof q['volume'] === 'number' && q['volume'] >= 0))
    ) {
      const tick: QuoteStreamTick = {
        asOf: Date.parse(q['asOf']),
        price: q['price'],
        producedAt: Number(producedAt),
        stale: q['stale'],
        symbol: q['symbol'],
        // Always present (maybe undefined): one object shape for every tick.
        traceparent,
        volume: q['volume'],
      };
      return tick;
    }
  }
  const { message, quote } = parseQuoteStreamFields(fields);
  const tick: QuoteStreamTick = {
    asOf: Date.parse(quote.asOf),
    price: quote.price,
    producedAt: message.producedAt,
    stale: quote.stale,
    symbol: quote.symbol,
    traceparent: message.traceparent,
    volume: quote.volume,
  };
  return tick;
}
