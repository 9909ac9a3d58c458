// A single pass over an OTLP/HTTP protobuf logs request, writing the `_bulk`
// lines of its ECS documents without building the decoded request, the
// mapped documents or serialising them with JSON.stringify.
//
// The lines are byte for byte those of the generic path (decodeOtlpRequest
// → toBulkLines): same documents, same key order, same ids; the spec
// checks that on every fixture and on generated requests. Whatever this
// reader does not handle itself, or finds invalid, makes it give up
// (`undefined`), and the caller takes the generic path, which then accepts
// the request or names what is wrong, exactly as before. Resources,
// scopes, and values other than strings and numbers (arrays, kvlists,
// bytes, booleans, several value fields) are rare and decoded by protobufjs
// and the generic normalisers, once per resource or value.
import type { LogRecordEvent } from '@freeride/contracts';

import { isUtf8 } from 'node:buffer';

import type { DataStream } from './data-stream';
import { sanitizeDataset, sanitizeNamespace } from './data-stream';
import {
  type PbAnyValue,
  type PbResource,
  type PbScope,
  anyValue,
  resource,
  scope,
} from './decode-protobuf';
import {
  DATASET_KEY,
  NAMESPACE_KEY,
  type ResourceContext,
  logLevel,
  resourceContext,
  scopeFields,
} from './ecs';
import { type BulkLines, DocumentSink, type ToEcsOptions } from './ecs-sink';
import {
  attributeString,
  flatValue,
  plainObject,
  stringValue,
} from './ecs-values';
import type { OtlpAnyValue, OtlpDouble, OtlpScope } from './otlp-request';
import {
  doubleToJs,
  int64ToJs,
  int64ToString,
  isEmptyId,
  nanosPartsToMs,
  nanosToIso,
  toOtlpDouble,
  uint64ToString,
} from './otlp-values';
import { OTLP_DECODE_PARTS } from './proto/otlp-proto';

/** Thrown inside the reader to give up; never escapes {@link logsProtobufToBulkLines}. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp('take the generic path');

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Node's Buffer decoders behind `toString(encoding, start, end)`, called
 * directly on bounds already checked: the same strings, without the
 * argument handling `toString` does for every field.
 */
interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

// The reader's state: one request at a time (synchronous, no re-entry).
let buf: Buffer = Buffer.alloc(0);
let pos = 0;
/** The last 64-bit varint or fixed64 read, as two unsigned 32-bit halves. */
let lo = 0;
let hi = 0;

function varint32(end: number): number {
  let b = buf[pos++];
  let v = b & 0x7f;
  if (b >= 0x80) {
    b = buf[pos++];
    v |= (b & 0x7f) << 7;
    if (b >= 0x80) {
      b = buf[pos++];
      v |= (b & 0x7f) << 14;
      if (b >= 0x80) {
        b = buf[pos++];
        v |= (b & 0x7f) << 21;
        if (b >= 0x80) {
          b = buf[pos++];
          v |= b << 28;
          // Up to 10 bytes (negative int32); the upper bits are dropped.
          for (let i = 0; b >= 0x80; i++) {
            if (i === 5) throw GIVE_UP;
            b = buf[pos++];
          }
        }
      }
    }
  }
  if (pos > end) throw GIVE_UP;
  return v;
}

function varint64(end: number): void {
  let l = 0;
  let h = 0;
  let b = 0;
  let i = 0;
  for (; i < 4; i++) {
    b = buf[pos++];
    l |= (b & 0x7f) << (i * 7);
    if (b < 0x80) break;
  }
  if (i === 4) {
    b = buf[pos++];
    l |= (b & 0x7f) << 28;
    h = (b & 0x7f) >>> 4;
    for (i = 0; b >= 0x80; i++) {
      if (i === 5) throw GIVE_UP;
      b = buf[pos++];
      h |= (b & 0x7f) << (i * 7 + 3);
    }
  }
  if (pos > end) throw GIVE_UP;
  lo = l >>> 0;
  hi = h >>> 0;
}

function fixed64(end: number): void {
  if (pos + 8 > end) throw GIVE_UP;
  lo = buf.readUInt32LE(pos);
  hi = buf.readUInt32LE(pos + 4);
  pos += 8;
}

/** Reads a length prefix; returns the end of the delimited bytes. */
function delimited(end: number): number {
  const len = varint32(end) >>> 0;
  const stop = pos + len;
  if (stop > end) throw GIVE_UP;
  return stop;
}

/** The UTF-8 string in [start, stop); invalid UTF-8 gives up (protobufjs refuses it). */
function utf8(start: number, stop: number): string {
  for (let i = start; i < stop; i++) {
    if (buf[i] >= 0x80) {
      try {
        return STRICT_UTF8.decode(buf.subarray(start, stop));
      } catch {
        throw GIVE_UP;
      }
    }
  }
  return (buf as SliceBuffer).latin1Slice(start, stop);
}

/** A length-delimited string field at `pos`. */
function str(end: number): string {
  const stop = delimited(end);
  const s = utf8(pos, stop);
  pos = stop;
  return s;
}

/** Skips a field of an unknown number; groups give up. */
function skip(wireType: number, end: number): void {
  switch (wireType) {
    case 0:
      varint64(end);
      return;
    case 1:
      pos += 8;
      break;
    case 2:
      pos = delimited(end);
      return;
    case 5:
      pos += 4;
      break;
    default:
      throw GIVE_UP;
  }
  if (pos > end) throw GIVE_UP;
}

/** Decodes [start, stop) with protobufjs; any error gives up. */
function decodePart<T>(
  type: keyof typeof OTLP_DECODE_PARTS,
  start: number,
  stop: number,
  normalise: (m: never) => T,
): T {
  try {
    const m = OTLP_DECODE_PARTS[type].decode(buf.subarray(start, stop));
    return normalise(m as never);
  } catch {
    throw GIVE_UP;
  }
}

// The last value readValue read (no object per value on the fast path):
// what `attributeString` makes of it, and what its normalised form is made of.
let valueText: string | undefined;
/** 0 empty, 1 string, 2 int64, 3 double, 4 decoded by protobufjs. */
let valueKind = 0;
let valueString = '';
let valueDouble: OtlpDouble = 0;
let valueDecoded: OtlpAnyValue = {};

/** The last value read, normalised as the generic decoder gives it. */
function valueAny(): OtlpAnyValue {
  switch (valueKind) {
    case 1:
      return { stringValue: valueString };
    case 2:
      return { intValue: valueString };
    case 3:
      return { doubleValue: valueDouble };
    case 4:
      return valueDecoded;
    default:
      return {};
  }
}

/**
 * An AnyValue in [pos, stop): strings and numbers here, anything else by
 * protobufjs. Returns the JSON of its `flatValue`; the value itself is left
 * in the `value*` variables.
 */
function readValue(stop: number): string {
  const start = pos;
  valueKind = 0;
  valueText = undefined;
  if (start === stop) return 'null';
  const tag = varint32(stop);
  let json: string | undefined;
  switch (tag) {
    case 0x0a: {
      const s = str(stop);
      valueKind = 1;
      valueString = s;
      valueText = s === '' ? undefined : s;
      json = JSON.stringify(s);
      break;
    }
    case 0x18: {
      varint64(stop);
      const text = int64ToString({ high: hi | 0, low: lo });
      valueKind = 2;
      valueString = text;
      valueText = text;
      json = JSON.stringify(int64ToJs(text));
      break;
    }
    case 0x21: {
      if (pos + 8 > stop) throw GIVE_UP;
      const d = toOtlpDouble(buf.readDoubleLE(pos));
      pos += 8;
      valueKind = 3;
      valueDouble = d;
      valueText = String(d);
      json = JSON.stringify(doubleToJs(d));
      break;
    }
  }
  if (json !== undefined && pos === stop) return json;
  // Booleans, bytes, arrays, kvlists, several fields: the generic normaliser.
  const any = decodePart('anyValue', start, stop, (m: PbAnyValue) =>
    anyValue(m),
  );
  pos = stop;
  valueKind = 4;
  valueDecoded = any;
  valueText = undefined;
  if (any.stringValue !== undefined)
    valueText = any.stringValue === '' ? undefined : any.stringValue;
  else if (any.intValue !== undefined) valueText = any.intValue;
  else if (any.doubleValue !== undefined) valueText = String(any.doubleValue);
  else if (any.boolValue !== undefined) valueText = String(any.boolValue);
  return JSON.stringify(flatValue(any));
}

/** What one record's attributes give the document. */
interface RecordAttributes {
  /** `otel.attributes` JSON (`{...}`). */
  json: string;
  keys: string[];
  /** With events: the normalised values, for the events' attributes. */
  values: OtlpAnyValue[] | undefined;
  dataset: string | undefined;
  namespace: string | undefined;
  errorType: string | undefined;
  errorMessage: string | undefined;
  stack: string | undefined;
}

// Attribute keys repeat from record to record: a small cache keeps, per
// (length, first byte, last byte) slot, the last key read, its bytes and
// its JSON, so a key seen before is compared byte by byte instead of
// decoded and quoted again. (Values vary too much for it to pay.)
const KEY_SLOTS = 256;
const MAX_CACHED_KEY = 64;
const keyBytes = new Array<Buffer | undefined>(KEY_SLOTS);
const keyStrings = new Array<string>(KEY_SLOTS);
const keyJsons = new Array<string>(KEY_SLOTS);
const keyJsonBytes = new Array<Buffer>(KEY_SLOTS);

const EMPTY_KEY_JSON: Buffer = Buffer.from('""');
/** The JSON of the key {@link attributeKey} read last, as text and UTF-8. */
let lastKeyJson = '""';
let lastKeyBytes: Buffer = EMPTY_KEY_JSON;

/** A key field at `pos` (as {@link str}); its JSON in `lastKeyJson`. */
function attributeKey(end: number): string {
  const stop = delimited(end);
  const start = pos;
  const len = stop - start;
  pos = stop;
  if (len === 0) {
    lastKeyJson = '""';
    lastKeyBytes = EMPTY_KEY_JSON;
    return '';
  }
  if (len > MAX_CACHED_KEY) {
    const key = utf8(start, stop);
    lastKeyJson = JSON.stringify(key);
    lastKeyBytes = Buffer.from(lastKeyJson, 'utf8');
    return key;
  }
  const slot = (len * 31 + buf[start] * 7 + buf[stop - 1]) & (KEY_SLOTS - 1);
  const known = keyBytes[slot];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known[i] === buf[start + i]) i++;
    if (i === len) {
      lastKeyJson = keyJsons[slot];
      lastKeyBytes = keyJsonBytes[slot];
      return keyStrings[slot];
    }
  }
  const key = utf8(start, stop);
  keyBytes[slot] = Buffer.from(buf.subarray(start, stop));
  keyStrings[slot] = key;
  keyJsons[slot] = lastKeyJson = JSON.stringify(key);
  keyJsonBytes[slot] = lastKeyBytes = Buffer.from(lastKeyJson, 'utf8');
  return key;
}

/** Keys a plain object would not keep in order as written: array indexes, `__proto__`. */
function unusualKey(key: string): boolean {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || key === '__proto__';
}

/**
 * Reads the KeyValue in [pos, stop): returns its key, the key's JSON in
 * `kvKeyJson` and the value's JSON in `kvJson`.
 */
let kvJson = 'null';
let kvKeyJson = '""';
function readKeyValue(stop: number): string {
  let key = '';
  let seenValue = false;
  valueKind = 0;
  valueText = undefined;
  kvJson = 'null';
  kvKeyJson = '""';
  while (pos < stop) {
    const tag = varint32(stop);
    if (tag === 0x0a) {
      key = attributeKey(stop);
      kvKeyJson = lastKeyJson;
    } else if (tag === 0x12) {
      if (seenValue) throw GIVE_UP; // protobufjs would keep the last one only
      seenValue = true;
      const end = delimited(stop);
      kvJson = readValue(end);
    } else if (tag >>> 3 === 1 || tag >>> 3 === 2) throw GIVE_UP;
    else skip(tag & 7, stop);
  }
  return key;
}

/** The record's attributes: offsets of each KeyValue (the first `count`), read in order. */
function recordAttributes(
  spans: number[],
  count: number,
  withValues: boolean,
): RecordAttributes {
  const out: RecordAttributes = {
    dataset: undefined,
    errorMessage: undefined,
    errorType: undefined,
    json: '{}',
    keys: [],
    namespace: undefined,
    stack: undefined,
    values: withValues ? [] : undefined,
  };
  if (count === 0) return out;
  const { keys, values } = out;
  const jsons: string[] = [];
  const quoted: string[] = [];
  let plain = true;
  for (let i = 0; i < count; i += 2) {
    pos = spans[i];
    const key = readKeyValue(spans[i + 1]);
    if (plain && (unusualKey(key) || keys.includes(key))) plain = false;
    keys.push(key);
    quoted.push(kvKeyJson);
    jsons.push(kvJson);
    if (values) values.push(valueAny());
    switch (key) {
      case DATASET_KEY:
        out.dataset = valueText;
        break;
      case NAMESPACE_KEY:
        out.namespace = valueText;
        break;
      case 'exception.type':
        out.errorType = valueText;
        break;
      case 'exception.message':
        out.errorMessage = valueText;
        break;
      case 'exception.stacktrace':
        out.stack = valueText;
        break;
    }
  }
  if (plain) {
    let json = '{';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) json += ',';
      json += `${quoted[i]}:${jsons[i]}`;
    }
    out.json = `${json}}`;
  } else {
    // Later keys win and index-like keys sort first: as a plain object does.
    const o: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++)
      o[keys[i]] = JSON.parse(jsons[i]) as unknown;
    out.json = JSON.stringify(o);
  }
  return out;
}

/** Per scope: what every record of it shares. */
interface ScopeShared {
  ctx: ResourceContext;
  scope: OtlpScope;
  /** `,"service":…` and, when set, `,"host":…,"agent":…` */
  common: string;
  /** `,"resource":{…}` and `,"scope":{…}`, each when set */
  otelShared: string;
  /** `,"logger":"…"` when the scope has a name. */
  logger: string;
  scopeDataset: string | undefined;
  scopeNamespace: string | undefined;
  /** Data streams by raw dataset and namespace, one object each (admission is by key). */
  streams: Map<string, DataStream>;
  /** Data streams of this scope already collected for admission. */
  admitted: Set<DataStream>;
  /** The byte writer's parts, made at its first record of the scope. */
  bytes: ScopeBytes | undefined;
}

/** What {@link writeRecord} copies into every document of a scope, as UTF-8. */
interface ScopeBytes {
  /** The data stream of records that set none themselves. */
  stream: DataStream;
  /** Per data stream: `"data_stream":{…},"event":{"dataset":…` */
  heads: Map<DataStream, Buffer>;
  /** The last one of them used (records of a scope mostly share one). */
  lastStream: DataStream | undefined;
  lastHead: Buffer | undefined;
  /** `}` (the event's end) and {@link ScopeShared.common}. */
  common: Buffer;
  /**
   * `,"log":{…}` by severity text, when set (the level is then the
   * text's): text bytes and part, in pairs.
   */
  logTexts: Buffer[];
  /** `,"log":{…}` by severity number (0-24; 25 for any other), without a text. */
  logByNumber: (Buffer | undefined)[];
  /** {@link ScopeShared.otelShared} */
  otelShared: Buffer;
  /** The most bytes a document takes besides 6 per byte of its record. */
  extra: number;
}

function scopeShared(ctx: ResourceContext, sc: OtlpScope): ScopeShared {
  let common = `,"service":${JSON.stringify(ctx.service)}`;
  if (ctx.host) common += `,"host":${JSON.stringify(ctx.host)}`;
  if (ctx.agent) common += `,"agent":${JSON.stringify(ctx.agent)}`;
  const scopeOtel = scopeFields(sc);
  return {
    common,
    ctx,
    logger: sc.name ? `,"logger":${JSON.stringify(sc.name)}` : '',
    otelShared: `${ctx.otelResource ? `,"resource":${JSON.stringify(ctx.otelResource)}` : ''}${scopeOtel ? `,"scope":${JSON.stringify(scopeOtel)}` : ''}`,
    scope: sc,
    scopeDataset: attributeString(sc.attributes, DATASET_KEY),
    scopeNamespace: attributeString(sc.attributes, NAMESPACE_KEY),
    streams: new Map(),
    admitted: new Set(),
    bytes: undefined,
  };
}

function scopeBytes(
  at: ScopeShared,
  defaultNamespace: string | undefined,
): ScopeBytes {
  const common = Buffer.from(`}${at.common}`, 'utf8');
  const otelShared = Buffer.from(at.otelShared, 'utf8');
  return {
    common,
    // Head (dataset and namespace of 100 bytes at most), severity, message,
    // log (its level's bytes are the record's), ids and otel's own keys.
    extra:
      common.length + otelShared.length + Buffer.byteLength(at.logger) + 1024,
    heads: new Map(),
    lastHead: undefined,
    lastStream: undefined,
    logByNumber: [],
    logTexts: [],
    otelShared,
    stream: dataStreamOf(at, undefined, undefined, defaultNamespace),
  };
}

/** Collects the data streams and services to admit, in order, once each. */
type Admissions = Map<string, [DataStream, string]>;

/** The data stream of a record setting `dataset` and `namespace` (or not). */
function dataStreamOf(
  at: ScopeShared,
  dataset: string | undefined,
  namespace: string | undefined,
  defaultNamespace: string | undefined,
): DataStream {
  const rawDataset = dataset ?? at.scopeDataset ?? at.ctx.dataset;
  const rawNamespace =
    namespace ?? at.scopeNamespace ?? at.ctx.namespace ?? defaultNamespace;
  const key = `${rawDataset ?? ''}\u0000${rawNamespace ?? ''}`;
  let ds = at.streams.get(key);
  if (ds === undefined) {
    ds = {
      type: 'logs',
      dataset: sanitizeDataset(rawDataset),
      namespace: sanitizeNamespace(rawNamespace),
    };
    at.streams.set(key, ds);
  }
  return ds;
}

/** Collects `ds` for admission, once per data stream object of the scope. */
function admitOnce(at: ScopeShared, ds: DataStream, admissions: Admissions) {
  if (at.admitted.has(ds)) return;
  // Its service is the scope's.
  at.admitted.add(ds);
  const key = `${ds.dataset}\u0000${ds.namespace}\u0000${at.ctx.serviceName}`;
  if (!admissions.has(key)) admissions.set(key, [ds, at.ctx.serviceName]);
}

// The LogRecord logRecord read last, left here for the two writers (no
// object per record): times as 32-bit halves, the rest as offsets in `buf`.
let recTimeHi = 0;
let recTimeLo = 0;
let recObservedHi = 0;
let recObservedLo = 0;
let recSeverityNumber = 0;
/** The severity text's bytes, [start, stop). */
let recSeverityStart = 0;
let recSeverityStop = 0;
/** The body's AnyValue, [start, stop); start -1 without a body. */
let recBodyStart = -1;
let recBodyStop = -1;
/** Where the 16 (8) bytes of the trace (span) id start; -1 when empty. */
let recTraceAt = -1;
let recSpanAt = -1;
let recEventNameStart = 0;
let recEventNameStop = 0;
/** Each attribute KeyValue's [start, stop), in order: the first `recAttrSpanCount`. */
const recAttrSpans: number[] = [];
let recAttrSpanCount = 0;

/** A trace or span id field at `pos`: where its `bytes` bytes start, -1 when empty. */
function idAt(bytes: number, end: number): number {
  const stop = delimited(end);
  const start = pos;
  pos = stop;
  if (stop - start === bytes) return start;
  if (stop !== start) throw GIVE_UP;
  return -1;
}

/** The id at `at` as hex, '' for none (as the generic decoder gives it). */
function idString(at: number, bytes: number): string {
  return at < 0 ? '' : (buf as SliceBuffer).hexSlice(at, at + bytes);
}

/** One LogRecord in [pos, stop) → its document through the sink. */
function logRecord(
  stop: number,
  at: ScopeShared,
  sink: DocumentSink,
  admissions: Admissions,
  defaultNamespace: string | undefined,
  events: LogRecordEvent[] | undefined,
): void {
  const start = pos;
  recTimeHi = recTimeLo = recObservedHi = recObservedLo = 0;
  recSeverityNumber = 0;
  recSeverityStart = recSeverityStop = 0;
  recBodyStart = recBodyStop = -1;
  recTraceAt = recSpanAt = -1;
  recEventNameStart = recEventNameStop = 0;
  recAttrSpanCount = 0;
  while (pos < stop) {
    const tag = varint32(stop);
    switch (tag) {
      case 0x09: // time_unix_nano, fixed64
        fixed64(stop);
        recTimeHi = hi;
        recTimeLo = lo;
        break;
      case 0x59: // observed_time_unix_nano, fixed64
        fixed64(stop);
        recObservedHi = hi;
        recObservedLo = lo;
        break;
      case 0x10: // severity_number, enum (int32)
        recSeverityNumber = varint32(stop) | 0;
        break;
      case 0x1a: // severity_text
        recSeverityStop = delimited(stop);
        recSeverityStart = pos;
        pos = recSeverityStop;
        break;
      case 0x2a: // body
        if (recBodyStart >= 0) throw GIVE_UP;
        recBodyStop = delimited(stop);
        recBodyStart = pos;
        pos = recBodyStop;
        break;
      case 0x32: {
        // attributes
        const end = delimited(stop);
        recAttrSpans[recAttrSpanCount++] = pos;
        recAttrSpans[recAttrSpanCount++] = end;
        pos = end;
        break;
      }
      case 0x38: // dropped_attributes_count, uint32
        varint32(stop);
        break;
      case 0x45: // flags, fixed32
        pos += 4;
        if (pos > stop) throw GIVE_UP;
        break;
      case 0x4a: // trace_id: 16 bytes or none
        recTraceAt = idAt(16, stop);
        break;
      case 0x52: // span_id: 8 bytes or none
        recSpanAt = idAt(8, stop);
        break;
      case 0x62: // event_name (checked as UTF-8 by the writers)
        recEventNameStop = delimited(stop);
        recEventNameStart = pos;
        pos = recEventNameStop;
        break;
      default: {
        const field = tag >>> 3;
        // A known field with an unexpected wire type: protobufjs reads it
        // by its declared type; not worth mirroring.
        if (field >= 1 && field <= 12 && field !== 4) throw GIVE_UP;
        skip(tag & 7, stop);
      }
    }
  }
  if (pos !== stop) throw GIVE_UP;
  if (!writeRecord(stop - start, at, sink, admissions, defaultNamespace))
    logRecordText(at, sink, admissions, defaultNamespace, events);
  else if (events) {
    // The event needs the values as strings, which the byte writer skips.
    let text: string | undefined;
    if (recBodyStart >= 0) {
      pos = recBodyStart;
      readValue(recBodyStop);
      text = valueString; // a string body: the byte writer took no other
    }
    events.push(
      recordEvent(
        at,
        sink,
        recordAttributes(recAttrSpans, recAttrSpanCount, true),
        text,
      ),
    );
  }
  pos = stop;
}

// ---------------------------------------------------------------------------
// The byte writer: the common record (string, number, boolean and empty
// values; a string body; no error attributes) written straight into the
// sink's buffer as UTF-8, from constant parts encoded once per scope and
// the protobuf's own bytes, without a string per record. Whatever else a
// record has, it leaves to logRecordText, the string writer, which writes
// every record, so the two must agree byte for byte (the spec compares
// both with the generic path).

/** Where the byte writer writes: `out` at `outAt`. */
let out: Buffer = Buffer.alloc(0);
let outAt = 0;

/** Per ASCII byte: 0 copied as it is, else its escape as JSON.stringify writes it. */
const ESCAPE = new Uint8Array(128);
for (let c = 0; c < 0x20; c++) ESCAPE[c] = 0x75; // \u00XX
ESCAPE[0x08] = 0x62; // \b
ESCAPE[0x09] = 0x74; // \t
ESCAPE[0x0a] = 0x6e; // \n
ESCAPE[0x0c] = 0x66; // \f
ESCAPE[0x0d] = 0x72; // \r
ESCAPE[0x22] = 0x22; // \"
ESCAPE[0x5c] = 0x5c; // \\
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

function put(bytes: Buffer): void {
  const len = bytes.length;
  if (len > 64) out.set(bytes, outAt);
  else {
    const o = out;
    const at = outAt;
    for (let i = 0; i < len; i++) o[at + i] = bytes[i];
  }
  outAt += len;
}

/** An ASCII string (numbers, `null`, `true`). */
function putAscii(text: string): void {
  const o = out;
  let at = outAt;
  for (let i = 0; i < text.length; i++) o[at++] = text.charCodeAt(i);
  outAt = at;
}

const SEVERITY = Buffer.from(',"severity":');
const MESSAGE = Buffer.from(',"message":');
const TRACE = Buffer.from(',"trace":{"id":"');
const SPAN = Buffer.from(',"span":{"id":"');
const ID_END = Buffer.from('"}');
const ATTRIBUTES = Buffer.from(',"otel":{"attributes":{');
const EVENT_NAME = Buffer.from(',"event_name":');

/** A non-negative integer below 2^53, in decimal. */
function putUint(n: number): void {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  outAt += digits;
  for (let i = outAt - 1; i >= outAt - digits; i--) {
    const q = Math.floor(n / 10);
    out[i] = 48 + n - q * 10;
    n = q;
  }
}

/**
 * The UTF-8 string in buf [start, stop) as JSON.stringify quotes it: its
 * bytes as they are, but `"`, `\` and the control characters below 0x20
 * escaped (JSON.stringify escapes nothing else of a well-formed string,
 * which valid UTF-8 decodes to). Invalid UTF-8 gives up, as {@link utf8}.
 */
function putString(start: number, stop: number): void {
  const o = out;
  const src = buf;
  let at = outAt;
  let ascii = true;
  o[at++] = 0x22;
  for (let i = start; i < stop; i++) {
    const c = src[i];
    if (c >= 0x80) {
      ascii = false;
      o[at++] = c;
      continue;
    }
    const e = ESCAPE[c];
    if (e === 0) o[at++] = c;
    else {
      o[at++] = 0x5c;
      o[at++] = e;
      if (e === 0x75) {
        o[at++] = 0x30;
        o[at++] = 0x30;
        o[at++] = HEX_DIGITS[c >>> 4];
        o[at++] = HEX_DIGITS[c & 15];
      }
    }
  }
  o[at++] = 0x22;
  outAt = at;
  if (!ascii && !validUtf8(start, stop)) throw GIVE_UP;
}

/** Whether buf [start, stop) is valid UTF-8, as STRICT_UTF8 decides. */
function validUtf8(start: number, stop: number): boolean {
  return isUtf8(buf.subarray(start, stop));
}

/** A trace or span id: its bytes in lowercase hex. */
function putHex(from: number, bytes: number): void {
  const o = out;
  let at = outAt;
  for (let i = from; i < from + bytes; i++) {
    const b = buf[i];
    o[at++] = HEX_DIGITS[b >>> 4];
    o[at++] = HEX_DIGITS[b & 15];
  }
  outAt = at;
}

/** True when the id at `at` is absent or all zero (no id, as isEmptyId). */
function emptyId(at: number, bytes: number): boolean {
  if (at < 0) return true;
  for (let i = at; i < at + bytes; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The AnyValue in buf [start, stop) as readValue's JSON, when it is a
 * string, an int64, a double, a boolean or empty; false (nothing written)
 * for anything else, which readValue decodes with protobufjs.
 */
function putValue(start: number, stop: number): boolean {
  if (start === stop) {
    putAscii('null');
    return true;
  }
  pos = start;
  const tag = varint32(stop);
  switch (tag) {
    case 0x0a: {
      const end = delimited(stop);
      if (end !== stop) return false;
      putString(pos, end);
      return true;
    }
    case 0x18:
      varint64(stop);
      if (pos !== stop) return false;
      if (hi === 0) putUint(lo);
      else
        putAscii(
          JSON.stringify(int64ToJs(int64ToString({ high: hi | 0, low: lo }))),
        );
      return true;
    case 0x21: {
      if (pos + 8 > stop) throw GIVE_UP;
      const d = buf.readDoubleLE(pos);
      if (pos + 8 !== stop) return false;
      putAscii(Number.isFinite(d) ? String(d) : 'null');
      return true;
    }
    case 0x10: {
      // bool: as protobufjs reads it, for the one-byte encodings of 0 and 1
      const b = buf[pos];
      if (pos + 1 !== stop || b > 1) return false;
      putAscii(b === 1 ? 'true' : 'false');
      return true;
    }
    default:
      return false;
  }
}

// The attributes writeRecord checked, for it to write: each key, its JSON
// and its value's [start, stop) (start -1: no value); reused, not truncated.
const attrKeys: string[] = [];
const attrKeyJsons: Buffer[] = [];
// The data stream keys, read per attribute: local constants, not imports.
const DATASET = DATASET_KEY;
const NAMESPACE = NAMESPACE_KEY;
const attrValueStarts: number[] = [];
const attrValueStops: number[] = [];

/** `,"log":{…}` of the record, encoded once per scope and severity. */
function logPart(bytes: ScopeBytes, at: ScopeShared): Buffer {
  const start = recSeverityStart;
  const len = recSeverityStop - start;
  const n = recSeverityNumber;
  if (len === 0) {
    const slot = n >= 0 && n <= 24 ? n : 25;
    return (bytes.logByNumber[slot] ??= logJson(at, '', n));
  }
  // A few severity texts per scope, found by their bytes: no string per
  // record (the text checked as UTF-8 once, when first seen).
  const texts = bytes.logTexts;
  for (let i = 0; i < texts.length; i += 2) {
    const known = texts[i];
    if (known.length !== len) continue;
    let j = 0;
    while (j < len && known[j] === buf[start + j]) j++;
    if (j === len) return texts[i + 1];
  }
  const part = logJson(at, utf8(start, start + len), n);
  if (texts.length < 2 * 32)
    texts.push(Buffer.from(buf.subarray(start, start + len)), part);
  return part;
}

/** `,"log":{…}` as logRecordText writes it. */
function logJson(at: ScopeShared, text: string, n: number): Buffer {
  const level = logLevel(text, n);
  let json = ',"log":{';
  if (level !== undefined)
    json += `"level":${JSON.stringify(level)}${at.logger}`;
  else if (at.logger) json += at.logger.slice(1);
  return Buffer.from(`${json}}`, 'utf8');
}

/**
 * Writes the document of the record logRecord read (`size` bytes of
 * protobuf) as bytes, the same as {@link logRecordText} would; returns
 * false, having written nothing, when the record needs that writer.
 */
function writeRecord(
  size: number,
  at: ScopeShared,
  sink: DocumentSink,
  admissions: Admissions,
  defaultNamespace: string | undefined,
): boolean {
  // The attributes first: whatever the document's first keys depend on.
  let dataset: string | undefined;
  let namespace: string | undefined;
  const n = recAttrSpanCount >>> 1;
  for (let i = 0; i < n; i++) {
    pos = recAttrSpans[2 * i];
    const stop = recAttrSpans[2 * i + 1];
    let key = '';
    let keyJson = EMPTY_KEY_JSON;
    let valueStart = -1;
    let valueStop = -1;
    // As readKeyValue.
    while (pos < stop) {
      const tag = varint32(stop);
      if (tag === 0x0a) {
        key = attributeKey(stop);
        keyJson = lastKeyBytes;
      } else if (tag === 0x12) {
        if (valueStart >= 0) throw GIVE_UP;
        valueStop = delimited(stop);
        valueStart = pos;
        pos = valueStop;
      } else if (tag >>> 3 === 1 || tag >>> 3 === 2) throw GIVE_UP;
      else skip(tag & 7, stop);
    }
    // Keys a plain object reorders or merges; the error fields.
    if (unusualKey(key)) return false;
    for (let j = 0; j < i; j++) if (attrKeys[j] === key) return false;
    if (
      key === 'exception.type' ||
      key === 'exception.message' ||
      key === 'exception.stacktrace'
    )
      return false;
    if (key === DATASET || key === NAMESPACE) {
      let text: string | undefined;
      if (valueStart >= 0) {
        pos = valueStart;
        readValue(valueStop);
        text = valueText;
      }
      if (key === DATASET) dataset = text;
      else namespace = text;
    }
    attrKeys[i] = key;
    attrKeyJsons[i] = keyJson;
    attrValueStarts[i] = valueStart;
    attrValueStops[i] = valueStop;
  }
  // A body, when set, must be a string.
  let messageStart = -1;
  let messageStop = -1;
  if (recBodyStart >= 0) {
    if (recBodyStart === recBodyStop) return false;
    pos = recBodyStart;
    if (varint32(recBodyStop) !== 0x0a) return false;
    messageStop = delimited(recBodyStop);
    messageStart = pos;
    if (messageStop !== recBodyStop) return false;
  }
  const bytes = (at.bytes ??= scopeBytes(at, defaultNamespace));
  const ds =
    dataset === undefined && namespace === undefined
      ? bytes.stream
      : dataStreamOf(at, dataset, namespace, defaultNamespace);
  admitOnce(at, ds, admissions);
  let head = ds === bytes.lastStream ? bytes.lastHead : bytes.heads.get(ds);
  if (head === undefined) {
    head = Buffer.from(
      `"data_stream":{"type":"logs","dataset":"${ds.dataset}","namespace":"${ds.namespace}"},"event":{"dataset":"${ds.dataset}"`,
      'utf8',
    );
    bytes.heads.set(ds, head);
  }
  bytes.lastStream = ds;
  bytes.lastHead = head;
  // The sink frames the document: its own time, as logRecordText's `time`
  // or else `observed`.
  let ownMs: number | undefined;
  if (recTimeHi !== 0 || recTimeLo !== 0)
    ownMs = nanosPartsToMs(recTimeHi, recTimeLo);
  else if (recObservedHi !== 0 || recObservedLo !== 0)
    ownMs = nanosPartsToMs(recObservedHi, recObservedLo);
  outAt = sink.beginBytes(ds, ownMs, size * 6 + bytes.extra);
  out = sink.buffer();
  put(head);
  if (recSeverityNumber > 0) {
    put(SEVERITY);
    putUint(recSeverityNumber);
  }
  put(bytes.common);
  if (messageStart >= 0) {
    put(MESSAGE);
    putString(messageStart, messageStop);
  }
  put(logPart(bytes, at));
  if (!emptyId(recTraceAt, 16)) {
    put(TRACE);
    putHex(recTraceAt, 16);
    put(ID_END);
  }
  if (!emptyId(recSpanAt, 8)) {
    put(SPAN);
    putHex(recSpanAt, 8);
    put(ID_END);
  }
  put(ATTRIBUTES);
  for (let i = 0; i < n; i++) {
    if (i > 0) out[outAt++] = 0x2c; // ,
    put(attrKeyJsons[i]);
    out[outAt++] = 0x3a; // :
    const start = attrValueStarts[i];
    if (start < 0) putAscii('null');
    else if (!putValue(start, attrValueStops[i])) return false;
  }
  out[outAt++] = 0x7d; // }
  put(bytes.otelShared);
  if (recEventNameStop > recEventNameStart) {
    put(EVENT_NAME);
    putString(recEventNameStart, recEventNameStop);
  }
  out[outAt++] = 0x7d; // }
  sink.endBytes(outAt);
  out = EMPTY;
  return true;
}

/** The record logRecord read → its document through the sink, as a string. */
function logRecordText(
  at: ScopeShared,
  sink: DocumentSink,
  admissions: Admissions,
  defaultNamespace: string | undefined,
  events: LogRecordEvent[] | undefined,
): void {
  const time = uint64ToString({ high: recTimeHi, low: recTimeLo });
  const observed = uint64ToString({ high: recObservedHi, low: recObservedLo });
  const severityNumber = recSeverityNumber;
  const severityText = utf8(recSeverityStart, recSeverityStop);
  const traceId = idString(recTraceAt, 16);
  const spanId = idString(recSpanAt, 8);
  const eventName = utf8(recEventNameStart, recEventNameStop);
  const attrs = recordAttributes(
    recAttrSpans,
    recAttrSpanCount,
    events !== undefined,
  );
  let message = '';
  let body = '';
  let text: string | undefined;
  if (recBodyStart >= 0) {
    pos = recBodyStart;
    readValue(recBodyStop);
    text = valueKind === 1 ? valueString : stringValue(valueAny());
    message = `,"message":${JSON.stringify(text)}`;
    if (valueKind === 4 && valueDecoded.kvlistValue)
      body = `,"body":${JSON.stringify(plainObject(valueDecoded.kvlistValue.values))}`;
  }
  const ds = dataStreamOf(at, attrs.dataset, attrs.namespace, defaultNamespace);
  admitOnce(at, ds, admissions);
  let json = `"data_stream":{"type":"logs","dataset":"${ds.dataset}","namespace":"${ds.namespace}"},"event":{"dataset":"${ds.dataset}"`;
  if (severityNumber > 0) json += `,"severity":${severityNumber}`;
  json += `}${at.common}${message},"log":{`;
  const level = logLevel(severityText, severityNumber);
  if (level !== undefined) {
    json += `"level":${JSON.stringify(level)}${at.logger}`;
  } else if (at.logger) json += at.logger.slice(1);
  json += '}';
  if (!isEmptyId(traceId)) json += `,"trace":{"id":"${traceId}"}`;
  if (!isEmptyId(spanId)) json += `,"span":{"id":"${spanId}"}`;
  if (attrs.errorType || attrs.errorMessage || attrs.stack) {
    const error: Record<string, string> = {};
    if (attrs.errorType) error.type = attrs.errorType;
    if (attrs.errorMessage) error.message = attrs.errorMessage;
    if (attrs.stack) error.stack_trace = attrs.stack;
    json += `,"error":${JSON.stringify(error)}`;
  }
  json += `,"otel":{"attributes":${attrs.json}${at.otelShared}${body}`;
  if (eventName) json += `,"event_name":${JSON.stringify(eventName)}`;
  json += '}';
  sink.emitSerialized(ds, json, time !== '0' ? time : observed);
  if (events) events.push(recordEvent(at, sink, attrs, text));
}

/**
 * The record logRecord read as toLogRecordEvents gives it, for the fan-out.
 * @param attrs its attributes, with their values
 * @param text its body as the document's `message`, when it has a body
 */
function recordEvent(
  at: ScopeShared,
  sink: DocumentSink,
  attrs: RecordAttributes,
  text: string | undefined,
): LogRecordEvent {
  const time = uint64ToString({ high: recTimeHi, low: recTimeLo });
  const observed = uint64ToString({ high: recObservedHi, low: recObservedLo });
  const severityNumber = recSeverityNumber;
  const traceId = idString(recTraceAt, 16);
  const spanId = idString(recSpanAt, 8);
  const attributes: Record<string, string> = {};
  for (let i = 0; i < attrs.keys.length; i++)
    attributes[attrs.keys[i]] = stringValue(attrs.values![i]);
  const event: LogRecordEvent = {
    '@timestamp': nanosToIso(time) ?? nanosToIso(observed) ?? sink.receivedAt,
    attributes,
    level:
      logLevel(utf8(recSeverityStart, recSeverityStop), severityNumber) ??
      'unknown',
    message: text ?? '',
    service: at.ctx.serviceName,
    severityNumber:
      severityNumber >= 0 && severityNumber <= 24 ? severityNumber : 0,
  };
  if (!isEmptyId(spanId)) event.spanId = spanId;
  if (!isEmptyId(traceId)) event.traceId = traceId;
  return event;
}

/** Finds the one singular message field `field` of [pos, stop); gives up on two. */
function findPart(field: number, stop: number): [number, number] | undefined {
  const start = pos;
  let found: [number, number] | undefined;
  while (pos < stop) {
    const tag = varint32(stop);
    if (tag >>> 3 === field) {
      if ((tag & 7) !== 2 || found) throw GIVE_UP;
      const end = delimited(stop);
      found = [pos, end];
      pos = end;
    } else skip(tag & 7, stop);
  }
  pos = start;
  return found;
}

/**
 * Walks a ResourceLogs or ScopeLogs in [pos, stop): each field 2 (its
 * scope logs or log records) through `child`, which returns the records it
 * read; field 3 (schema URL) is checked; field 1 was read by findPart.
 */
function children(stop: number, child: (end: number) => number): number {
  let records = 0;
  while (pos < stop) {
    const tag = varint32(stop);
    if (tag === 0x12) {
      const end = delimited(stop);
      records += child(end);
      pos = end;
    } else if (tag === 0x1a) str(stop);
    else if (tag === 0x0a) pos = delimited(stop);
    else if (tag >>> 3 <= 3) throw GIVE_UP;
    else skip(tag & 7, stop);
  }
  return records;
}

/** What one request's walk writes to and collects. */
interface Walk {
  sink: DocumentSink;
  admissions: Admissions;
  namespace: string | undefined;
  events: LogRecordEvent[] | undefined;
}

function scopeLogs(stop: number, ctx: ResourceContext, walk: Walk): number {
  const part = findPart(1, stop);
  const sc = part
    ? decodePart('scope', part[0], part[1], (m: PbScope) => scope(m))
    : scope(undefined);
  const at = scopeShared(ctx, sc);
  return children(stop, (end) => {
    logRecord(end, at, walk.sink, walk.admissions, walk.namespace, walk.events);
    return 1;
  });
}

function resourceLogs(stop: number, walk: Walk): number {
  const part = findPart(1, stop);
  const ctx = resourceContext(
    part
      ? decodePart('resource', part[0], part[1], (m: PbResource) => resource(m))
      : resource(undefined),
  );
  return children(stop, (end) => scopeLogs(end, ctx, walk));
}

/** What {@link logsProtobufToBulkLines} returns. */
export interface WireBulkLines extends Omit<BulkLines, 'body'> {
  /** `_bulk` NDJSON as UTF-8: per document a `create` action line and a source line. */
  body: Buffer;
  /** Log records in the request (all of them become documents). */
  records: number;
  /** With `withEvents`: the records as `toLogRecordEvents` gives them. */
  events?: LogRecordEvent[];
}

/**
 * The `_bulk` lines of an OTLP/HTTP protobuf logs request (already
 * gunzipped), in one pass over its bytes: the same lines as
 * `toBulkLines(decodeOtlpRequest('logs', 'protobuf', body, receivedAtMs), options)`.
 * With `withEvents`, also the fan-out's events (`toLogRecordEvents`).
 * `options.admit` is called once per data stream and service, in order of
 * first appearance, after the whole body was read (so an invalid body is
 * a 400 before any refusal, as on the generic path).
 * @returns `undefined` when the request needs the generic path: invalid
 *   (which the generic path reports precisely), or using wire features this
 *   reader leaves to protobufjs (groups, a singular field sent twice, a
 *   known field with another wire type).
 * @see https://protobuf.dev/programming-guides/encoding/
 */
export function logsProtobufToBulkLines(
  body: Buffer,
  receivedAtMs: number,
  options: ToEcsOptions = {},
  withEvents = false,
): WireBulkLines | undefined {
  const events: LogRecordEvent[] | undefined = withEvents ? [] : undefined;
  const sink = new DocumentSink(
    new Date(receivedAtMs).toISOString(),
    { ...options, admit: undefined },
    'buffer',
    // Our lines run about 4 times the protobuf's size: one allocation, no growing.
    body.length * 5,
  );
  const admissions: Admissions = new Map();
  const walk: Walk = {
    admissions,
    events,
    namespace: options.namespace,
    sink,
  };
  let records = 0;
  buf = body;
  pos = 0;
  try {
    const stop = body.length;
    while (pos < stop) {
      const tag = varint32(stop);
      if (tag === 0x0a) {
        const end = delimited(stop);
        records += resourceLogs(end, walk);
        pos = end;
      } else if (tag >>> 3 <= 1) throw GIVE_UP;
      else skip(tag & 7, stop);
    }
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  } finally {
    buf = EMPTY;
  }
  if (options.admit)
    for (const [ds, service] of admissions.values()) options.admit(ds, service);
  return events
    ? { ...sink.bufferLines(), events, records }
    : { ...sink.bufferLines(), records };
}

const EMPTY = Buffer.alloc(0);
