import { xxh3 } from '@node-rs/xxhash';

import type { DataStream } from './data-stream';
import { dataStreamName } from './data-stream';
import { nanosToIso } from './otlp-values';

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

const ID_BYTES = Buffer.alloc(22);
const LOW_64 = (1n << 64n) - 1n;
const MAX_ID_TIME = 2 ** 48 - 1;

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
 * @param timeMs the record's own time, ms since the epoch (0 when unset;
 *   clamped to 6 bytes)
 * @see https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md
 */
export function contentId(text: string, timeMs = 0): string {
  const h = xxh3.xxh128(text);
  const t = timeMs > 0 ? Math.min(Math.floor(timeMs), MAX_ID_TIME) : 0;
  ID_BYTES.writeUIntBE(t, 0, 6);
  ID_BYTES.writeBigUInt64BE(h >> 64n, 6);
  ID_BYTES.writeBigUInt64BE(h & LOW_64, 14);
  return ID_BYTES.toString('base64url');
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
  private docs = 0;

  constructor(
    private readonly receivedAt: string,
    private readonly options: ToEcsOptions,
    private readonly mode: 'lines' | 'writes',
  ) {
    this.receivedAtMs = Date.parse(receivedAt);
    this.freeride =
      options.source === undefined
        ? undefined
        : Object.freeze({ source: options.source });
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
    if (this.options.admit) {
      const key = `${ds.type}\u0000${ds.dataset}\u0000${ds.namespace}\u0000${serviceName}`;
      if (!this.admitted.has(key)) {
        this.options.admit(ds, serviceName);
        this.admitted.add(key);
      }
    }
    const index = dataStreamName(ds);
    const own = nanosToIso(ownNanos);
    let adjustment: TimestampAdjustment | undefined;
    if (own !== undefined && this.options.timeWindow) {
      const ms = nanosToMs(ownNanos);
      const { futureMs, pastMs } = this.options.timeWindow;
      if (ms < this.receivedAtMs - pastMs) adjustment = 'too_old';
      else if (ms > this.receivedAtMs + futureMs) adjustment = 'in_future';
    }
    if (adjustment) {
      this.adjusted[adjustment]++;
      doc.freeride = { ...this.freeride, original_timestamp: own };
    } else {
      doc['@timestamp'] = own;
      if (this.freeride) doc.freeride = this.freeride;
    }
    this.docs++;
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
      this.writes.push({ doc, id, index });
      return;
    }
    let source = content;
    if (doc['@timestamp'] === undefined) {
      // Receipt-time fields go in front; dotted keys merge into `freeride`.
      const extra = adjustment
        ? `,"freeride.timestamp_adjusted":"${adjustment}",`
        : ',';
      source = `{"@timestamp":"${this.receivedAt}"${extra}${content.slice(1)}`;
    }
    this.parts.push(
      `{"create":{"_index":${JSON.stringify(index)},"_id":"${id}"}}\n${source}\n`,
    );
  }

  lines(): BulkLines {
    return {
      adjusted: { ...this.adjusted },
      body: this.parts.join(''),
      docs: this.docs,
    };
  }
}
