import { WILDCARD } from '../detectors.constants';
import { maskMessage } from './token-masker';

/** Options of {@link TemplateMiner}. One configuration serves every source. */
export interface TemplateMinerOptions {
  /**
   * Above this many templates the least recently seen one is forgotten.
   * @default 5000
   */
  readonly maxTemplates?: number;
  /**
   * Smallest share of positions that must agree (constant tokens equal) for a
   * message to join an existing template of the same length.
   * @default 0.5
   */
  readonly similarityThreshold?: number;
}

/** The result of {@link TemplateMiner.add} for one message. */
export interface TemplateMatch {
  /** True when the template changed (generalised) because of this message. */
  readonly changed: boolean;
  /** True when this message created a new template. */
  readonly isNew: boolean;
  /** The values at the template's variable positions, in order. */
  readonly params: readonly string[];
  /** The template, variable parts as `<*>`. */
  readonly template: string;
  /** Stable id: derived from the first template, kept through generalisation, save and load. */
  readonly templateId: string;
}

/** A template as returned by {@link TemplateMiner.templates}. */
export interface MinedTemplate {
  /** Messages matched so far. */
  readonly count: number;
  /** Template text. */
  readonly template: string;
  /** Stable id. */
  readonly templateId: string;
}

/** Saved state of a {@link TemplateMiner}, plain JSON. */
export interface TemplateMinerState {
  /** Ids of templates that were merged into another one, and their target. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Options the miner ran with. */
  readonly options: Required<TemplateMinerOptions>;
  /** Templates, least recently seen first. */
  readonly templates: readonly {
    readonly count: number;
    readonly id: string;
    readonly tokens: readonly string[];
  }[];
  /** Format version. */
  readonly version: 1;
}

interface Cluster {
  readonly born: number;
  count: number;
  readonly id: string;
  key: string;
  tick: number;
  tokens: string[];
}

const DEFAULTS: Required<TemplateMinerOptions> = {
  maxTemplates: 5000,
  similarityThreshold: 0.5,
};

/** The per-message key cache is bounded to this multiple of maxTemplates. */
const CACHE_FACTOR = 4;

/**
 * FNV-1a 32-bit hash, written as 8 hex digits: a deterministic template id.
 */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * Online log template miner: one message at a time, bounded memory.
 *
 * Each message is split on whitespace and its variable tokens are masked by
 * type (see {@link maskToken}). Messages of the same length are compared
 * position by position with the existing templates, as in Drain; a message
 * joins the most similar template when enough positions agree, and the
 * positions that disagree become `<*>`. When two templates become equal they
 * merge and the older id stays valid as an alias.
 *
 * @see https://jiemingzhu.github.io/pub/pjhe_icws2017.pdf (Drain, He et al., ICWS 2017)
 */
export class TemplateMiner {
  private readonly aliases = new Map<string, string>();
  private readonly byId = new Map<string, Cluster>();
  private readonly byKey = new Map<string, Cluster>();
  private readonly byLength = new Map<number, Cluster[]>();
  private readonly cache = new Map<string, Cluster>();
  private readonly options: Required<TemplateMinerOptions>;
  private tick = 0;

  /** @param options - see {@link TemplateMinerOptions} */
  constructor(options: TemplateMinerOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Restores a miner saved with {@link TemplateMiner.toJSON}. Ids are kept.
   *
   * @param state - the saved state
   */
  static fromJSON(state: TemplateMinerState): TemplateMiner {
    const miner = new TemplateMiner(state.options);
    for (const saved of state.templates) {
      miner.insert({
        born: miner.tick + 1,
        count: saved.count,
        id: saved.id,
        key: saved.tokens.join(' '),
        tick: ++miner.tick,
        tokens: [...saved.tokens],
      });
    }
    for (const [from, to] of Object.entries(state.aliases)) {
      miner.aliases.set(from, to);
    }
    return miner;
  }

  /** Number of live templates. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Matches one message against the templates, creating or generalising one.
   *
   * @param message - the log message without its header (no timestamp, level)
   */
  add(message: string): TemplateMatch {
    const { masked, tokens } = maskMessage(message);
    const key = masked.join(' ');
    this.tick++;
    const cached = this.cache.get(key);
    if (cached !== undefined && this.byId.get(cached.id) === cached) {
      return this.touch(cached, tokens, false, false);
    }
    const cluster = this.bestMatch(masked);
    if (cluster === undefined) {
      const created = this.create(masked);
      this.remember(key, created);
      return this.touch(created, tokens, true, false);
    }
    let changed = false;
    for (let i = 0; i < masked.length; i++) {
      if (cluster.tokens[i] !== masked[i] && cluster.tokens[i] !== WILDCARD) {
        cluster.tokens[i] = WILDCARD;
        changed = true;
      }
    }
    const target = changed ? this.rekey(cluster) : cluster;
    this.remember(key, target);
    return this.touch(target, tokens, false, changed);
  }

  /**
   * The current id for an id handed out earlier: follows merges.
   *
   * @param templateId - an id returned by {@link TemplateMiner.add}
   */
  resolve(templateId: string): string {
    let id = templateId;
    for (let hops = 0; hops < 64; hops++) {
      const next = this.aliases.get(id);
      if (next === undefined) {
        return id;
      }
      id = next;
    }
    return id;
  }

  /**
   * The current template text for an id, or `undefined` once forgotten.
   *
   * @param templateId - an id returned by {@link TemplateMiner.add}
   */
  templateOf(templateId: string): string | undefined {
    return this.byId.get(this.resolve(templateId))?.key;
  }

  /** All live templates, most frequent first. */
  templates(): MinedTemplate[] {
    return [...this.byId.values()]
      .sort((a, b) => b.count - a.count)
      .map((c) => ({ count: c.count, template: c.key, templateId: c.id }));
  }

  /** Saves the state as plain JSON; {@link TemplateMiner.fromJSON} reads it. */
  toJSON(): TemplateMinerState {
    return {
      aliases: Object.fromEntries(this.aliases),
      options: this.options,
      templates: [...this.byId.values()]
        .sort((a, b) => a.tick - b.tick)
        .map((c) => ({ count: c.count, id: c.id, tokens: [...c.tokens] })),
      version: 1,
    };
  }

  private bestMatch(masked: readonly string[]): Cluster | undefined {
    const candidates = this.byLength.get(masked.length);
    if (candidates === undefined) {
      return undefined;
    }
    let best: Cluster | undefined;
    let bestScore = -1;
    let bestWild = -1;
    for (const cluster of candidates) {
      let equal = 0;
      let wild = 0;
      for (let i = 0; i < masked.length; i++) {
        const t = cluster.tokens[i];
        if (t === masked[i]) {
          equal++;
        } else if (t === WILDCARD) {
          wild++;
        }
      }
      const score = equal / masked.length;
      if (score > bestScore || (score === bestScore && wild > bestWild)) {
        best = cluster;
        bestScore = score;
        bestWild = wild;
      }
    }
    return bestScore >= this.options.similarityThreshold ? best : undefined;
  }

  private create(masked: string[]): Cluster {
    const key = masked.join(' ');
    let id = fnv1a(key);
    for (let n = 1; this.byId.has(id) || this.aliases.has(id); n++) {
      id = fnv1a(`${key}#${n}`);
    }
    const cluster: Cluster = {
      born: this.tick,
      count: 0,
      id,
      key,
      tick: this.tick,
      tokens: [...masked],
    };
    this.insert(cluster);
    if (this.byId.size > this.options.maxTemplates) {
      this.evictOldest();
    }
    return cluster;
  }

  private evictOldest(): void {
    let oldest: Cluster | undefined;
    for (const cluster of this.byId.values()) {
      if (oldest === undefined || cluster.tick < oldest.tick) {
        oldest = cluster;
      }
    }
    if (oldest !== undefined) {
      this.remove(oldest);
    }
  }

  private insert(cluster: Cluster): void {
    this.byId.set(cluster.id, cluster);
    this.byKey.set(cluster.key, cluster);
    const list = this.byLength.get(cluster.tokens.length);
    if (list === undefined) {
      this.byLength.set(cluster.tokens.length, [cluster]);
    } else {
      list.push(cluster);
    }
  }

  private rekey(cluster: Cluster): Cluster {
    this.byKey.delete(cluster.key);
    cluster.key = cluster.tokens.join(' ');
    const twin = this.byKey.get(cluster.key);
    if (twin === undefined || twin === cluster) {
      this.byKey.set(cluster.key, cluster);
      return cluster;
    }
    // Two templates became equal: the older id survives, the other is an alias.
    const [keep, drop] =
      twin.born <= cluster.born ? [twin, cluster] : [cluster, twin];
    keep.count += drop.count;
    this.remove(drop);
    this.byKey.set(keep.key, keep);
    this.aliases.set(drop.id, keep.id);
    return keep;
  }

  private remember(key: string, cluster: Cluster): void {
    if (this.cache.size >= this.options.maxTemplates * CACHE_FACTOR) {
      const first = this.cache.keys().next();
      if (first.done !== true) {
        this.cache.delete(first.value);
      }
    }
    this.cache.set(key, cluster);
  }

  private remove(cluster: Cluster): void {
    this.byId.delete(cluster.id);
    if (this.byKey.get(cluster.key) === cluster) {
      this.byKey.delete(cluster.key);
    }
    const list = this.byLength.get(cluster.tokens.length);
    if (list !== undefined) {
      const index = list.indexOf(cluster);
      if (index >= 0) {
        list.splice(index, 1);
      }
    }
  }

  private touch(
    cluster: Cluster,
    tokens: readonly string[],
    isNew: boolean,
    changed: boolean,
  ): TemplateMatch {
    cluster.count++;
    cluster.tick = this.tick;
    const params: string[] = [];
    for (let i = 0; i < cluster.tokens.length; i++) {
      if (cluster.tokens[i].includes(WILDCARD)) {
        params.push(tokens[i]);
      }
    }
    return {
      changed,
      isNew,
      params,
      template: cluster.key,
      templateId: cluster.id,
    };
  }
}
