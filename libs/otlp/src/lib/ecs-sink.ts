import { xxh3 } from '@node-rs/xxhash';

import type { DataStream } from './data-stream';
import { dataStreamName } from './data-stream';
import { nanosToIso, writeIsoMs } from './otlp-values';

/**
 * The accepted range of a record's own time, relative to when the ingest
 * received it. Outside it the record is kept, with its time moved to
 * `freeride.original_timestamp` and `@timestamp` set to the receipt time.
 */
export interface TimeWindow {
  /** How far in the past a record's time may be, in ms. */
  pastMs: number;
  /** How far in the future a record's time may be (clock skew), in ms. */
  futureMs: number;
}

/** Why a record's `@timestamp` is not its own time. */
export type TimestampAdjustment = 'too_old' | 'in_future';

/**
 * Options of the ECS mapping.
 * @see https://www.elastic.co/docs/reference/fleet/data-streams#data-streams-naming-scheme
 */
export interface ToEcsOptions {
  /**
   * Namespace of the data streams when the telemetry does not set the
   * `data_stream.namespace` attribute.
   * @default 'default'
   */
  namespace?: string;
  /** The authenticated sender, stored on every document as `freeride.source`. */
  source?: string;
  /** Accepted window of a record's own time; none when unset. */
  timeWindow?: TimeWindow;
  /**
   * Called once per distinct data stream and service of a request; throws
   * to refuse the request (e.g. a token writing outside its datasets).
   */
  admit?: (ds: DataStream, serviceName: string) => void;
}

/** What {@link toBulkLines} returns. */
export interface BulkLines {
  /** `_bulk` NDJSON: per document a `create` action line and a source line. */
  body: string;
  /** Documents in `body`. */
  docs: number;
  /** Documents whose time fell outside the window, by reason. */
  adjusted: Record<TimestampAdjustment, number>;
}

/** The constant parts of a source line written by {@link DocumentSink.beginBytes}. */
interface ByteFrame {
  /** `{"@timestamp":"<receipt>",`: a record without its own time. */
  receipt: Buffer;
  /** The same with `"freeride.timestamp_adjusted":"…",`, per adjustment. */
  tooOld: Buffer;
  inFuture: Buffer;
  /** After the middle: `,"freeride":{"source":…}}`, or `}` without a source. */
  end: Buffer;
  /** After the middle of an adjusted record, up to its own time and `"}}`. */
  adjustedEnd: Buffer;
  /** Bytes enough for the frame of any document around its middle. */
  bytes: number;
}

/** A data stream's `{"create":{"_index":…,"_id":"` line start. */
interface ActionLine {
  bytes: Buffer;
  text: string;
}

const ID_BYTES = Buffer.alloc(22);
const ID_VIEW = new DataView(
  ID_BYTES.buffer,
  ID_BYTES.byteOffset,
  ID_BYTES.byteLength,
);
const MAX_ID_TIME = 2 ** 48 - 1;
/** Length of an id: 22 bytes in base64url, unpadded. */
const ID_CHARS = 30;
const EMPTY = Buffer.alloc(0);
/** What starts a source line with the record's own time. */
const TIMESTAMP_START = Buffer.from('{"@timestamp":"', 'latin1');
/** `"}}\n`: what ends an action line after its id. */
const ACTION_END = Buffer.from('"}}\n', 'latin1');
/** The base64url alphabet, as bytes. */
const B64URL = Buffer.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  'latin1',
);

/**
 * The `_id` of a document: the record's own time in ms (6 bytes, big-endian)
 * followed by XXH3-128 of its serialised content, base64url (30 chars: the
 * first 8 are the time).
 *
 * The hash tells documents apart; a non-cryptographic one is enough here:
 * ids only need to tell documents of one data stream apart. By the birthday
 * bound, even 10^12 documents in one data stream collide with probability
 * about 10^24 / 2^129 ≈ 1.5·10^-15 (and only with the same millisecond). A
 * sender could try to craft a collision, but only with documents of a data
 * stream its token may write to, and the content hashed includes the
 * authenticated source.
 *
 * The time prefix is for Elasticsearch: a `create` with an id must first
 * look the id up in every segment of the shard, and ids that start with
 * their time (as Elasticsearch's own generated ids do) rule out older
 * segments by their prefix, where random ids make it read a block of each
 * segment's terms (Elasticsearch's guide "Tune for indexing speed", on ids:
 * prefer ones with a consistent, sequential pattern). The time is part of
 * the record, so a record sent again still gets the same id.
 * @param text the serialised content (a string is hashed as its UTF-8 bytes)
 * @param timeMs the record's own time, ms since the epoch (0 when unset;
 *   clamped to 6 bytes)
 * @see https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
 */
export function contentId(text: string | Uint8Array, timeMs = 0): string {
  idBytes(xxh3.xxh128(text), timeMs);
  return ID_BYTES.toString('base64url');
}

/** The 22 bytes of an id in {@link ID_BYTES}: the time, then the hash, big-endian. */
function idBytes(h: bigint, timeMs: number): void {
  const t = timeMs > 0 ? Math.min(Math.floor(timeMs), MAX_ID_TIME) : 0;
  const high = Math.floor(t / 0x1000000);
  const low = t % 0x1000000;
  ID_BYTES[0] = high >>> 16;
  ID_BYTES[1] = (high >>> 8) & 0xff;
  ID_BYTES[2] = high & 0xff;
  ID_BYTES[3] = low >>> 16;
  ID_BYTES[4] = (low >>> 8) & 0xff;
  ID_BYTES[5] = low & 0xff;
  // Two 64-bit big-endian stores: no hex string of the BigInt to parse.
  ID_VIEW.setBigUint64(6, BigInt.asUintN(64, h >> 64n));
  ID_VIEW.setBigUint64(14, BigInt.asUintN(64, h));
}

/**
 * Writes the {@link contentId} of `content` into `out` at `at` as its 30
 * base64url bytes, without making the id a string first.
 */
export function writeContentId(
  out: Uint8Array,
  at: number,
  content: string | Uint8Array,
  timeMs = 0,
): void {
  idBytes(xxh3.xxh128(content), timeMs);
  const b = ID_BYTES;
  // 7 groups of 3 bytes → 4 chars each, then the last byte → 2 chars.
  for (let i = 0; i < 21; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out[at++] = B64URL[v >>> 18];
    out[at++] = B64URL[(v >>> 12) & 63];
    out[at++] = B64URL[(v >>> 6) & 63];
    out[at++] = B64URL[v & 63];
  }
  out[at++] = B64URL[b[21] >>> 2];
  out[at] = B64URL[(b[21] & 3) << 4];
}

function nanosToMs(ns: string): number {
  return ns.length > 6 ? Number(ns.slice(0, -6)) : 0;
}

/**
 * Receives each mapped document and finishes it: the admission check, the
 * source, `@timestamp` (own time inside the window, else the receipt time),
 * the content id, and either the document object or its `_bulk` lines.
 * The id hashes the document without its receipt-time fields, so a record
 * sent again later gets the same id.
 */
export class DocumentSink {
  readonly writes: {
    id: string;
    index: string;
    doc: Record<string, unknown>;
  }[] = [];
  private readonly parts: string[] = [];
  private readonly adjusted: Record<TimestampAdjustment, number> = {
    in_future: 0,
    too_old: 0,
  };
  private readonly admitted = new Set<string>();
  private readonly receivedAtMs: number;
  private readonly freeride: Readonly<{ source: string }> | undefined;
  /** `"source":"…",` (JSON), or empty without a source. */
  private readonly sourceJson: string;
  /**
   * Each data stream's action line up to its id, as text and as bytes, by
   * data stream object (the caller passes one object per data stream of a
   * scope, so no index name is built per document).
   */
  private readonly actions = new Map<DataStream, ActionLine>();
  /** The last data stream written and its action line. */
  private lastStream: DataStream | undefined;
  private lastAction: ActionLine | undefined;
  private docs = 0;
  /** `buffer` mode: the lines written so far, `outLength` bytes of `out`. */
  private out = EMPTY;
  private outLength = 0;
  /** `buffer` mode: the byte framing of {@link beginBytes} (made once). */
  private readonly frame: ByteFrame | undefined;
  /** The document {@link beginBytes} started, until {@link endBytes}. */
  private pendingIdAt = 0;
  private pendingHashAt = 0;
  private pendingLineAt = 0;
  private pendingMs = 0;
  private pendingAdjustment: TimestampAdjustment | undefined;

  constructor(
    readonly receivedAt: string,
    private readonly options: ToEcsOptions,
    private readonly mode: 'lines' | 'writes' | 'buffer',
    /** `buffer` mode: the expected size of the lines, bytes. */
    sizeHint = 0,
  ) {
    if (mode === 'buffer') this.out = Buffer.allocUnsafe(sizeHint + 4096);
    this.receivedAtMs = Date.parse(receivedAt);
    this.freeride =
      options.source === undefined
        ? undefined
        : Object.freeze({ source: options.source });
    this.sourceJson =
      options.source === undefined
        ? ''
        : `"source":${JSON.stringify(options.source)},`;
    if (mode === 'buffer') {
      const bytes = (text: string) => Buffer.from(text, 'utf8');
      const adjusted = (a: TimestampAdjustment) =>
        bytes(
          `{"@timestamp":"${receivedAt}","freeride.timestamp_adjusted":"${a}",`,
        );
      const adjustedEnd = bytes(
        `,"freeride":{${this.sourceJson}"original_timestamp":"`,
      );
      const end = bytes(
        `${this.freeride ? `,"freeride":{${this.sourceJson.slice(0, -1)}}` : ''}}`,
      );
      const inFuture = adjusted('in_future');
      this.frame = {
        adjustedEnd,
        // The longest start and end, two ISO times of up to 30 bytes, `\n`.
        bytes: inFuture.length + adjustedEnd.length + end.length + 128,
        end,
        inFuture,
        receipt: bytes(`{"@timestamp":"${receivedAt}",`),
        tooOld: adjusted('too_old'),
      };
    }
  }

  /**
   * @param doc the document, its first key `@timestamp` (undefined)
   * @param ownNanos the record's own time, ns since the epoch ('0' unset)
   */
  emit(
    ds: DataStream,
    doc: Record<string, unknown>,
    ownNanos: string,
    serviceName: string,
  ): void {
    this.admit(ds, serviceName);
    const { adjustment, own } = this.ownTime(ownNanos);
    if (adjustment) {
      doc.freeride = { ...this.freeride, original_timestamp: own };
    } else {
      doc['@timestamp'] = own;
      if (this.freeride) doc.freeride = this.freeride;
    }
    // `@timestamp` is undefined here when it is the receipt time: not hashed.
    const content = JSON.stringify(doc);
    const id = contentId(content, nanosToMs(ownNanos));
    if (this.mode === 'writes') {
      if (doc['@timestamp'] === undefined) {
        doc['@timestamp'] = this.receivedAt;
        if (adjustment)
          doc.freeride = {
            ...(doc.freeride as object),
            timestamp_adjusted: adjustment,
          };
      }
      this.writes.push({ doc, id, index: dataStreamName(ds) });
      return;
    }
    this.push(ds, content, id, adjustment);
  }

  /**
   * The same as {@link emit} in `lines` mode, for a document already
   * serialised: `middle` is its JSON between `@timestamp` and `freeride`
   * (`"data_stream":{...},...,"otel":{...}`), exactly as `JSON.stringify`
   * writes those keys, so the line and its id are the same bytes.
   * Admission is the caller's ({@link admit}).
   */
  emitSerialized(ds: DataStream, middle: string, ownNanos: string): void {
    const { adjustment, own } = this.ownTime(ownNanos);
    let content: string;
    if (adjustment) {
      content = `{${middle},"freeride":{${this.sourceJson}"original_timestamp":"${own}"}}`;
    } else {
      const freeride = this.freeride
        ? `,"freeride":{${this.sourceJson.slice(0, -1)}}`
        : '';
      content =
        own === undefined
          ? `{${middle}${freeride}}`
          : `{"@timestamp":"${own}",${middle}${freeride}}`;
    }
    if (this.mode === 'buffer') this.write(ds, content, ownNanos, adjustment);
    else
      this.push(
        ds,
        content,
        contentId(content, nanosToMs(ownNanos)),
        adjustment,
      );
  }

  /**
   * `buffer` mode: writes the lines as UTF-8 at once (no joined string to
   * encode again later); when the source line is the hashed content, the
   * id hashes its bytes in place and is written into the gap left for it.
   */
  private write(
    ds: DataStream,
    content: string,
    ownNanos: string,
    adjustment: TimestampAdjustment | undefined,
  ): void {
    const action = this.actionLine(ds).bytes;
    const ownTime = content.startsWith('{"@timestamp"');
    const source = ownTime
      ? content
      : this.withReceiptTime(content, adjustment);
    this.reserve(action.length + ID_CHARS + source.length * 3 + 8);
    const out = this.out;
    let at = this.outLength;
    out.set(action, at);
    at += action.length;
    const idAt = at;
    at += ID_CHARS;
    out.set(ACTION_END, at);
    at += ACTION_END.length;
    const sourceAt = at;
    at += out.write(source, at, 'utf8');
    // The id hashes the source line as written, or (receipt time) the content.
    writeContentId(
      out,
      idAt,
      ownTime ? out.subarray(sourceAt, at) : content,
      nanosToMs(ownNanos),
    );
    out[at++] = 0x0a;
    this.outLength = at;
  }

  /**
   * `buffer` mode, for a document its caller writes as bytes: writes its
   * action line (the id left for {@link endBytes}) and the source line up
   * to the document's `middle` (as {@link emitSerialized} takes it), with
   * room for `maxMiddle` bytes of it; returns where the middle goes in
   * {@link buffer}. Nothing counts until {@link endBytes}: a caller that
   * does not finish (it found something for the string path) leaves no
   * trace, and the next document overwrites it.
   * @param ownMs the record's own time in ms, when it has one (`ownNanos`
   *   other than '0'), else undefined
   */
  beginBytes(
    ds: DataStream,
    ownMs: number | undefined,
    maxMiddle: number,
  ): number {
    const frame = this.frame!;
    let adjustment: TimestampAdjustment | undefined;
    if (ownMs !== undefined && this.options.timeWindow) {
      const { futureMs, pastMs } = this.options.timeWindow;
      if (ownMs < this.receivedAtMs - pastMs) adjustment = 'too_old';
      else if (ownMs > this.receivedAtMs + futureMs) adjustment = 'in_future';
    }
    const action = this.actionLine(ds).bytes;
    this.reserve(action.length + ID_CHARS + maxMiddle + frame.bytes);
    const out = this.out;
    let at = this.outLength;
    out.set(action, at);
    at += action.length;
    this.pendingIdAt = at;
    at += ID_CHARS;
    for (let i = 0; i < ACTION_END.length; i++) out[at++] = ACTION_END[i];
    this.pendingLineAt = at;
    if (ownMs !== undefined && !adjustment) {
      // The source line is the content hashed.
      this.pendingHashAt = at;
      for (let i = 0; i < TIMESTAMP_START.length; i++)
        out[at++] = TIMESTAMP_START[i];
      at = writeIsoMs(out, at, ownMs);
      out[at++] = 0x22; // "
      out[at++] = 0x2c; // ,
    } else {
      // The receipt time in front of the content: the content hashed starts
      // at the `,` before the middle, read as `{` (see endBytes).
      const prefix =
        adjustment === 'too_old'
          ? frame.tooOld
          : adjustment === 'in_future'
            ? frame.inFuture
            : frame.receipt;
      for (let i = 0; i < prefix.length; i++) out[at++] = prefix[i];
      this.pendingHashAt = at - 1;
    }
    this.pendingMs = ownMs ?? 0;
    this.pendingAdjustment = adjustment;
    return at;
  }

  /** `buffer` mode: the buffer {@link beginBytes} returned a position in. */
  buffer(): Buffer {
    return this.out;
  }

  /**
   * Ends the document {@link beginBytes} started, its middle written up to
   * `end`: the `freeride` part, the id, the line's end.
   */
  endBytes(end: number): void {
    const frame = this.frame!;
    const out = this.out;
    let at = end;
    const adjustment = this.pendingAdjustment;
    if (adjustment) {
      const part = frame.adjustedEnd;
      for (let i = 0; i < part.length; i++) out[at++] = part[i];
      at = writeIsoMs(out, at, this.pendingMs);
      out[at++] = 0x22; // "
      out[at++] = 0x7d; // }
      out[at++] = 0x7d; // }
      this.adjusted[adjustment]++;
    } else {
      const part = frame.end;
      for (let i = 0; i < part.length; i++) out[at++] = part[i];
    }
    const hashAt = this.pendingHashAt;
    const content = new Uint8Array(
      out.buffer,
      out.byteOffset + hashAt,
      at - hashAt,
    );
    if (hashAt === this.pendingLineAt) {
      writeContentId(out, this.pendingIdAt, content, this.pendingMs);
    } else {
      out[hashAt] = 0x7b; // {
      writeContentId(out, this.pendingIdAt, content, this.pendingMs);
      out[hashAt] = 0x2c; // ,
    }
    out[at++] = 0x0a;
    this.outLength = at;
    this.docs++;
  }

  private reserve(bytes: number): void {
    if (this.outLength + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(
      Math.max(this.out.length * 2, this.outLength + bytes),
    );
    this.out.copy(grown, 0, 0, this.outLength);
    this.out = grown;
  }

  /** Calls the admission check once per data stream and service. */
  admit(ds: DataStream, serviceName: string): void {
    if (!this.options.admit) return;
    const key = `${ds.type}\u0000${ds.dataset}\u0000${ds.namespace}\u0000${serviceName}`;
    if (!this.admitted.has(key)) {
      this.options.admit(ds, serviceName);
      this.admitted.add(key);
    }
  }

  /** The record's own time (ISO) and whether it falls outside the window. */
  private ownTime(ownNanos: string): {
    adjustment: TimestampAdjustment | undefined;
    own: string | undefined;
  } {
    const own = nanosToIso(ownNanos);
    let adjustment: TimestampAdjustment | undefined;
    if (own !== undefined && this.options.timeWindow) {
      const ms = nanosToMs(ownNanos);
      const { futureMs, pastMs } = this.options.timeWindow;
      if (ms < this.receivedAtMs - pastMs) adjustment = 'too_old';
      else if (ms > this.receivedAtMs + futureMs) adjustment = 'in_future';
    }
    if (adjustment) this.adjusted[adjustment]++;
    this.docs++;
    return { adjustment, own };
  }

  private push(
    ds: DataStream,
    content: string,
    id: string,
    adjustment: TimestampAdjustment | undefined,
  ): void {
    const source = content.startsWith('{"@timestamp"')
      ? content
      : this.withReceiptTime(content, adjustment);
    this.parts.push(`${this.actionLine(ds).text}${id}"}}\n${source}\n`);
  }

  /** A content without its own time, with the receipt-time fields in front. */
  private withReceiptTime(
    content: string,
    adjustment: TimestampAdjustment | undefined,
  ): string {
    // Dotted keys merge into `freeride`.
    const extra = adjustment
      ? `,"freeride.timestamp_adjusted":"${adjustment}",`
      : ',';
    return `{"@timestamp":"${this.receivedAt}"${extra}${content.slice(1)}`;
  }

  /** The action line of `ds` up to its id. */
  private actionLine(ds: DataStream): ActionLine {
    if (ds === this.lastStream) return this.lastAction!;
    let action = this.actions.get(ds);
    if (action === undefined) {
      const text = `{"create":{"_index":${JSON.stringify(dataStreamName(ds))},"_id":"`;
      action = { bytes: Buffer.from(text, 'utf8'), text };
      this.actions.set(ds, action);
    }
    this.lastStream = ds;
    this.lastAction = action;
    return action;
  }

  /** `buffer` mode: the lines as UTF-8 bytes. */
  bufferLines(): Omit<BulkLines, 'body'> & { body: Buffer } {
    return {
      adjusted: { ...this.adjusted },
      body: this.out.subarray(0, this.outLength),
      docs: this.docs,
    };
  }

  lines(): BulkLines {
    return {
      adjusted: { ...this.adjusted },
      body: this.parts.join(''),
      docs: this.docs,
    };
  }
}
