import { evictLru } from '../bounded-lru';
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
   * A position becomes a variable (`<*>`) once this many templates that agree
   * everywhere else were seen with distinct values there. Messages with many
   * constant tokens (see `longMessageTokens`) need one fewer.
   * @default 3
   */
  readonly variableThreshold?: number;
  /**
   * ... and the distinct values must be at least this share of the messages
   * seen with them: a few frequent values (GET, POST) are constants, many
   * rare ones (user names) are a variable. 0 turns the share test off.
   * @default 0
   */
  readonly variableRatio?: number;
}

/** The result of {@link TemplateMiner.add} for one message. */
export interface TemplateMatch {
  /** True when templates were generalised or merged because of this message. */
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
  /** Distinct values seen at one position of otherwise equal templates. */
  readonly evidence: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Options the miner ran with. */
  readonly options: Required<TemplateMinerOptions>;
  /** Templates, least recently seen first. */
  readonly templates: readonly {
    readonly count: number;
    readonly id: string;
    /** Positions generalised on evidence, whose slot accepts any fitting token. */
    readonly open?: readonly number[];
    readonly tokens: readonly string[];
  }[];
  /** Format version. */
  readonly version: 2;
}

interface Template {
  readonly born: number;
  count: number;
  readonly id: string;
  readonly key: string;
  /** Positions generalised on evidence: their slot (`<*>,`, `(<*>`) accepts any fitting token. */
  readonly open: ReadonlySet<number>;
  tick: number;
  readonly tokens: readonly string[];
}

const DEFAULTS: Required<TemplateMinerOptions> = {
  maxTemplates: 5000,
  variableRatio: 0,
  variableThreshold: 3,
};

/** The per-message key cache and the evidence map are bounded to this multiple of maxTemplates. */
const CACHE_FACTOR = 4;

/**
 * A template ending in at least this many `<*>` after a constant prefix holds
 * a list: a message with the same prefix and a list of another length
 * belongs to it.
 */
const MIN_LIST_TOKENS = 2;

/** Constant tokens a list template's prefix needs. */
const MIN_LIST_PREFIX = 2;

/** Longest repeated group of a list, in tokens. */
const MAX_LIST_UNIT = 3;

/** Past this many distinct values a position is a variable whatever their counts. */
const MAX_EVIDENCE_VALUES = 16;

/** FNV-1a 32-bit hash as 8 hex digits: a deterministic template id. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A variable slot: `<*>` with only brackets or quotes before and punctuation after. */
const SLOT = /^([([{'"]*)<\*>([)\]}'",.;:]*)$/;
const LEAD_CHARS = `([{'"`;
const TRAIL_CHARS = `)]}'",.;:`;

/** True when `token` fits template token `pattern`: equal, or inside its slot. */
function fits(pattern: string, token: string): boolean {
  if (pattern === token || pattern === WILDCARD) {
    return true;
  }
  const slot = SLOT.exec(pattern);
  return (
    slot !== null &&
    token.length > slot[1].length + slot[2].length &&
    token.startsWith(slot[1]) &&
    token.endsWith(slot[2])
  );
}

/** The slot covering two values: `<*>` keeping the brackets and punctuation they share. */
function blank(a: string, b: string): string {
  let lead = 0;
  while (
    lead < a.length &&
    lead < b.length &&
    a[lead] === b[lead] &&
    LEAD_CHARS.includes(a[lead])
  ) {
    lead++;
  }
  let trail = 0;
  while (
    trail < a.length - lead &&
    trail < b.length - lead &&
    a[a.length - 1 - trail] === b[b.length - 1 - trail] &&
    TRAIL_CHARS.includes(a[a.length - 1 - trail])
  ) {
    trail++;
  }
  if (lead + trail >= Math.min(a.length, b.length)) {
    return WILDCARD;
  }
  return `${a.slice(0, lead)}${WILDCARD}${a.slice(a.length - trail)}`;
}

/**
 * Length of the constant prefix of a template that ends in a list, and the
 * length of the list's unit: a run of at least {@link MIN_LIST_TOKENS} `<*>`
 * (unit 1), or at least two repetitions of a group of up to
 * {@link MAX_LIST_UNIT} tokens holding a `<*>` (`<*> <*> <ok>`). The prefix is
 * 0 when the template does not end in a list.
 */
function listShape(tokens: readonly string[]): {
  prefix: number;
  unit: number;
} {
  for (let unit = 1; unit <= MAX_LIST_UNIT; unit++) {
    let start = tokens.length - unit;
    while (start - unit >= 0 && sameGroup(tokens, start - unit, start, unit)) {
      start -= unit;
    }
    const repeats = (tokens.length - start) / unit;
    const variable =
      unit === 1
        ? tokens[tokens.length - 1] === WILDCARD
        : tokens.slice(start, start + unit).some((t) => t.includes(WILDCARD));
    if (
      start < 0 ||
      !variable ||
      repeats < (unit === 1 ? MIN_LIST_TOKENS : 2)
    ) {
      continue;
    }
    let constants = 0;
    for (let i = 0; i < start; i++) {
      if (!tokens[i].includes(WILDCARD)) {
        constants++;
      }
    }
    if (constants >= MIN_LIST_PREFIX) {
      return { prefix: start, unit };
    }
  }
  return { prefix: 0, unit: 0 };
}

/** True when the `unit` tokens at `a` equal those at `b`. */
function sameGroup(
  tokens: readonly string[],
  a: number,
  b: number,
  unit: number,
): boolean {
  for (let i = 0; i < unit; i++) {
    if (tokens[a + i] !== tokens[b + i]) {
      return false;
    }
  }
  return true;
}

/** The prefix length of a template that ends in a list, or 0. */
function listPrefix(tokens: readonly string[]): number {
  return listShape(tokens).prefix;
}

/**
 * True when the tail of `masked` after the list template's prefix is a list
 * of its kind: any tokens for a list of `<*>`, else repetitions of its group.
 */
function fitsList(
  tokens: readonly string[],
  masked: readonly string[],
): boolean {
  const { prefix, unit } = listShape(tokens);
  const tail = masked.length - prefix;
  if (unit === 1) {
    // Any list of two or more tokens; a single item only if it is a value.
    return tail >= 2 || (tail === 1 && SLOT.test(masked[prefix]));
  }
  if (unit === 0 || tail % unit !== 0 || tail < unit) {
    return false;
  }
  for (let i = 0; i < tail; i++) {
    if (!fits(tokens[prefix + (i % unit)], masked[prefix + i])) {
      return false;
    }
  }
  return true;
}

/** Key of a list template: its prefix of `prefix` tokens. */
function listKey(tokens: readonly string[], prefix: number): string {
  return tokens.slice(0, prefix).join(' ');
}

/** Compiled patterns of template tokens holding `<*>`, bounded. */
const PATTERNS = new Map<string, RegExp>();
const MAX_PATTERNS = 10_000;

/** The values a token holds at the `<*>` of a template token; the whole token if it does not fit. */
function extractParams(pattern: string, token: string): string[] {
  let regex = PATTERNS.get(pattern);
  if (regex === undefined) {
    const source = pattern
      .split(WILDCARD)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('(.*?)');
    regex = new RegExp(`^${source}$`, 's');
    if (PATTERNS.size >= MAX_PATTERNS) {
      PATTERNS.clear();
    }
    PATTERNS.set(pattern, regex);
  }
  const match = regex.exec(token);
  return match === null ? [token] : match.slice(1);
}

/**
 * Online log template miner: one message at a time, bounded memory.
 *
 * Each message is split on whitespace and its variable tokens are masked by
 * type (see {@link maskToken}); the masked message is its first template.
 * Templates of the same length are compared position by position, as in
 * Drain, but a disagreeing position does not become `<*>` at once: the
 * miner collects, for each position, the distinct values of templates that
 * agree everywhere else, and generalises the position only once it has seen
 * `variableThreshold` of them. So `Starting X` and `Ending X` stay apart
 * while user names and host names become `<*>`. When a template generalises,
 * the templates it now covers merge into it; their ids stay valid as aliases
 * of the oldest one (see {@link TemplateMiner.resolve}).
 *
 * @see https://jiemingzhu.github.io/pub/pjhe_icws2017.pdf (Drain, He et al., ICWS 2017)
 * @see https://doi.org/10.1109/TSC.2022.3201424 (Brain: variables found by value frequency)
 */
export class TemplateMiner {
  private readonly aliases = new Map<string, string>();
  private born = 0;
  private readonly byId = new Map<string, Template>();
  private readonly byKey = new Map<string, Template>();
  private readonly byLength = new Map<number, Template[]>();
  private readonly cache = new Map<string, Template>();
  /** Templates ending in a list of `<*>`, by the text of their prefix. */
  private readonly lists = new Map<string, Template>();
  /** Prefix lengths of the templates in `lists`, with their counts. */
  private readonly listPrefixes = new Map<number, number>();
  private readonly evidence = new Map<string, Map<string, number>>();
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
   * @throws Error when the state has another format version
   */
  static fromJSON(state: TemplateMinerState): TemplateMiner {
    if (state.version !== 2) {
      throw new Error(
        `unsupported TemplateMiner state version ${String(state.version)}`,
      );
    }
    const miner = new TemplateMiner(state.options);
    for (const saved of state.templates) {
      miner.insert({
        born: ++miner.born,
        count: saved.count,
        id: saved.id,
        key: saved.tokens.join(' '),
        open: new Set(saved.open ?? []),
        tick: ++miner.tick,
        tokens: [...saved.tokens],
      });
    }
    for (const [from, to] of Object.entries(state.aliases)) {
      miner.aliases.set(from, to);
    }
    for (const [key, values] of Object.entries(state.evidence)) {
      miner.evidence.set(key, new Map(Object.entries(values)));
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
      return this.result(cached, tokens, false, false);
    }
    const { generalised, match } = this.match(masked);
    let template = match;
    let isNew = false;
    if (generalised !== undefined) {
      template = this.generalise(generalised.tokens, generalised.open);
    } else if (template === undefined) {
      template = this.matchList(masked);
    }
    let changed = generalised !== undefined;
    if (template === undefined) {
      // A masked variable covers the templates that had a constant there.
      template = this.isGeneral(masked)
        ? this.generalise(masked)
        : this.create(masked);
      const list = this.absorbLists(template);
      changed ||= list !== template;
      template = list;
      isNew = template.count === 0;
    }
    this.cache.set(key, template);
    evictLru(this.cache, this.options.maxTemplates * CACHE_FACTOR);
    return this.result(template, tokens, isNew, changed);
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
      .map((t) => ({ count: t.count, template: t.key, templateId: t.id }));
  }

  /** Saves the state as plain JSON; {@link TemplateMiner.fromJSON} reads it. */
  toJSON(): TemplateMinerState {
    return {
      aliases: Object.fromEntries(this.aliases),
      evidence: Object.fromEntries(
        [...this.evidence].map(([k, v]) => [k, Object.fromEntries(v)]),
      ),
      options: this.options,
      templates: [...this.byId.values()]
        .sort((a, b) => a.tick - b.tick)
        .map((t) => ({
          count: t.count,
          id: t.id,
          open: [...t.open],
          tokens: [...t.tokens],
        })),
      version: 2,
    };
  }

  private create(tokens: readonly string[]): Template {
    const key = tokens.join(' ');
    let id = fnv1a(key);
    for (let n = 1; this.byId.has(id) || this.aliases.has(id); n++) {
      id = fnv1a(`${key}#${n}`);
    }
    const template: Template = {
      born: ++this.born,
      count: 0,
      id,
      key,
      open: new Set(),
      tick: this.tick,
      tokens,
    };
    this.insert(template);
    if (this.byId.size > this.options.maxTemplates) {
      this.evictOldest();
    }
    return template;
  }

  private evictOldest(): void {
    let oldest: Template | undefined;
    for (const template of this.byId.values()) {
      if (oldest === undefined || template.tick < oldest.tick) {
        oldest = template;
      }
    }
    if (oldest !== undefined) {
      this.remove(oldest);
    }
  }

  /**
   * Creates (or finds) the template `tokens`, and merges into it every
   * template of the same length that it covers. The oldest id survives.
   */
  private generalise(
    tokens: readonly string[],
    open: ReadonlySet<number> = new Set(),
  ): Template {
    const covered = (this.byLength.get(tokens.length) ?? []).filter((t) =>
      t.tokens.every((token, i) =>
        open.has(i)
          ? fits(tokens[i], token)
          : tokens[i] === WILDCARD || tokens[i] === token,
      ),
    );
    const existing = this.byKey.get(tokens.join(' '));
    let survivor = existing;
    for (const t of covered) {
      if (survivor === undefined || t.born < survivor.born) {
        survivor = t;
      }
    }
    const key = tokens.join(' ');
    const id = survivor?.id ?? fnv1a(key);
    let count = 0;
    for (const t of covered) {
      count += t.count;
      this.remove(t);
      if (t.id !== id) {
        this.aliases.set(t.id, id);
      }
    }
    if (existing !== undefined && !covered.includes(existing)) {
      count += existing.count;
      this.remove(existing);
    }
    const template: Template = {
      born: survivor?.born ?? ++this.born,
      count,
      id,
      key,
      open,
      tick: this.tick,
      tokens,
    };
    this.insert(template);
    return template;
  }

  private insert(template: Template): void {
    const prefix = listPrefix(template.tokens);
    if (prefix > 0 && !this.lists.has(listKey(template.tokens, prefix))) {
      this.lists.set(listKey(template.tokens, prefix), template);
      this.listPrefixes.set(prefix, (this.listPrefixes.get(prefix) ?? 0) + 1);
    }
    this.byId.set(template.id, template);
    this.byKey.set(template.key, template);
    const list = this.byLength.get(template.tokens.length);
    if (list === undefined) {
      this.byLength.set(template.tokens.length, [template]);
    } else {
      list.push(template);
    }
  }

  /**
   * Finds the most specific template covering `masked`, and records evidence
   * from templates that disagree with it at exactly one position. Returns the
   * tokens of a template to generalise to when that evidence is sufficient.
   */
  private match(masked: readonly string[]): {
    generalised: { open: Set<number>; tokens: string[] } | undefined;
    match: Template | undefined;
  } {
    const candidates = this.byLength.get(masked.length) ?? [];
    // Masked values that keep brackets or punctuation (`<*>)`) are variables too.
    const slots = masked.map((token) => token !== WILDCARD && SLOT.test(token));
    let match: Template | undefined;
    let matchWildcards = Number.POSITIVE_INFINITY;
    let generalised: { open: Set<number>; tokens: string[] } | undefined;
    let generalisedWildcards = Number.POSITIVE_INFINITY;
    for (const t of candidates) {
      let diff = -1;
      let diffs = 0;
      let wildcards = 0;
      let slotted = 0;
      for (let i = 0; i < masked.length; i++) {
        const token = t.tokens[i];
        if (
          token === WILDCARD ||
          (token !== masked[i] && t.open.has(i) && fits(token, masked[i]))
        ) {
          wildcards++;
        } else if (token !== masked[i]) {
          diff = i;
          if (++diffs > 1) {
            break;
          }
        } else if (slots[i]) {
          slotted++;
        }
      }
      if (diffs === 0) {
        if (wildcards < matchWildcards) {
          match = t;
          matchWildcards = wildcards;
        }
      } else if (
        diffs === 1 &&
        this.keepsConstants(
          masked.length - wildcards - slotted - 1,
          masked.length,
        )
      ) {
        const blanked = t.tokens.map((token, i) =>
          i === diff ? blank(token, masked[diff]) : token,
        );
        const evidenceKey = `${diff}\u0000${blanked.join(' ')}`;
        let values = this.evidence.get(evidenceKey);
        if (values === undefined) {
          values = new Map();
        } else {
          this.evidence.delete(evidenceKey);
        }
        values.set(
          t.tokens[diff],
          Math.max(values.get(t.tokens[diff]) ?? 0, t.count),
        );
        if (values.size < MAX_EVIDENCE_VALUES) {
          values.set(masked[diff], (values.get(masked[diff]) ?? 0) + 1);
        }
        this.evidence.set(evidenceKey, values);
        if (this.isVariable(values) && wildcards + 1 < generalisedWildcards) {
          generalised = { open: new Set([...t.open, diff]), tokens: blanked };
          generalisedWildcards = wildcards + 1;
        }
      }
    }
    evictLru(this.evidence, this.options.maxTemplates * CACHE_FACTOR);
    if (match !== undefined && matchWildcards <= generalisedWildcards) {
      return { generalised: undefined, match };
    }
    return { generalised, match };
  }

  /**
   * When `list` ends in a list, merges into it the templates that share its
   * prefix and hold a list of its kind of another length. The oldest id
   * survives; the others become aliases.
   */
  private absorbLists(list: Template): Template {
    const prefix = listPrefix(list.tokens);
    if (prefix === 0) {
      return list;
    }
    const key = listKey(list.tokens, prefix);
    const covered: Template[] = [];
    for (const [length, templates] of this.byLength) {
      if (length > prefix && length !== list.tokens.length) {
        for (const t of templates) {
          if (
            listKey(t.tokens, prefix) === key &&
            fitsList(list.tokens, t.tokens)
          ) {
            covered.push(t);
          }
        }
      }
    }
    if (covered.length === 0) {
      return list;
    }
    let survivor = list;
    let count = list.count;
    for (const t of covered) {
      count += t.count;
      if (t.born < survivor.born) {
        survivor = t;
      }
    }
    for (const t of [list, ...covered]) {
      this.remove(t);
      if (t.id !== survivor.id) {
        this.aliases.set(t.id, survivor.id);
      }
    }
    const merged: Template = {
      born: survivor.born,
      count,
      id: survivor.id,
      key: list.key,
      open: list.open,
      tick: this.tick,
      tokens: list.tokens,
    };
    this.insert(merged);
    return merged;
  }

  /**
   * A template ending in a list of `<*>` whose prefix this message shares,
   * with a list of its own (of any tokens) after it.
   */
  private matchList(masked: readonly string[]): Template | undefined {
    for (const prefix of this.listPrefixes.keys()) {
      if (masked.length > prefix) {
        const template = this.lists.get(listKey(masked, prefix));
        if (template !== undefined && fitsList(template.tokens, masked)) {
          return template;
        }
      }
    }
    return undefined;
  }

  /** A masked message with variables that still has enough constants to cover others. */
  private isGeneral(masked: readonly string[]): boolean {
    let constants = 0;
    for (const token of masked) {
      if (SLOT.exec(token) === null) {
        constants++;
      }
    }
    return (
      constants < masked.length && this.keepsConstants(constants, masked.length)
    );
  }

  /** A template may generalise only while at least half its tokens stay constant. */
  private keepsConstants(constants: number, length: number): boolean {
    return constants > 0 && 2 * constants >= length;
  }

  /** Many distinct values, each seen rarely: a variable. A few frequent values: constants. */
  private isVariable(values: ReadonlyMap<string, number>): boolean {
    if (values.size < this.options.variableThreshold) {
      return false;
    }
    let total = 0;
    for (const count of values.values()) {
      total += count;
    }
    return (
      values.size >= MAX_EVIDENCE_VALUES ||
      values.size >= this.options.variableRatio * total
    );
  }

  private remove(template: Template): void {
    const prefix = listPrefix(template.tokens);
    if (
      prefix > 0 &&
      this.lists.get(listKey(template.tokens, prefix)) === template
    ) {
      this.lists.delete(listKey(template.tokens, prefix));
      const left = (this.listPrefixes.get(prefix) ?? 1) - 1;
      if (left > 0) {
        this.listPrefixes.set(prefix, left);
      } else {
        this.listPrefixes.delete(prefix);
      }
    }
    this.byId.delete(template.id);
    if (this.byKey.get(template.key) === template) {
      this.byKey.delete(template.key);
    }
    const list = this.byLength.get(template.tokens.length);
    if (list !== undefined) {
      const index = list.indexOf(template);
      if (index >= 0) {
        list.splice(index, 1);
      }
    }
  }

  private result(
    template: Template,
    tokens: readonly string[],
    isNew: boolean,
    changed: boolean,
  ): TemplateMatch {
    template.count++;
    template.tick = this.tick;
    const params: string[] = [];
    const listed = template.tokens.length !== tokens.length;
    const fixed = listed ? listPrefix(template.tokens) : template.tokens.length;
    for (let i = 0; i < fixed; i++) {
      const pattern = template.tokens[i];
      if (pattern === WILDCARD) {
        params.push(tokens[i]);
      } else if (pattern.includes(WILDCARD)) {
        params.push(...extractParams(pattern, tokens[i]));
      }
    }
    if (listed) {
      params.push(...tokens.slice(fixed));
    }
    return {
      changed,
      isNew,
      params,
      template: template.key,
      templateId: template.id,
    };
  }
}
