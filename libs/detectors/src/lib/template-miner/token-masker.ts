import { WILDCARD } from '../detectors.constants';

/**
 * The kinds of variable token the masker recognises, in the order they are
 * tried.
 */
export type TokenKind =
  | 'url'
  | 'uuid'
  | 'ip'
  | 'host'
  | 'path'
  | 'duration'
  | 'size'
  | 'hex'
  | 'number'
  | 'digits'
  | 'empty';

const LEADING_PUNCTUATION = /^[([{<'"]+/;
const TRAILING_PUNCTUATION = /[)\]}>'",;.!?]+$/;

/**
 * Whole-token rules. A token matches after leading brackets/quotes and
 * trailing punctuation are set aside; those stay in the template.
 */
const WHOLE_TOKEN_RULES: readonly (readonly [TokenKind, RegExp])[] = [
  ['url', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i],
  ['uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i],
  ['hex', /^[0-9a-f]{2}(?:[:-][0-9a-f]{2}){3,}$/i],
  ['ip', /^\/?(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?$/],
  // IPv6: a `::` somewhere, or all eight groups.
  [
    'ip',
    /^\/?\[?(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?(?::\d{1,5})?$/i,
  ],
  ['host', /^[a-z][\w-]*(?:\.[\w-]+)+:\d{1,5}$/i],
  ['path', /^(?:~?\/|\.{1,2}\/|[a-z]:\\)[^\s]+$/i],
  [
    'duration',
    /^[-+<>~]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?)$/i,
  ],
  [
    'size',
    /^[-+<>~]?\d+(?:\.\d+)?(?:b|kb|mb|gb|tb|pb|kib|mib|gib|tib|k|m|g|bytes?)$/i,
  ],
  [
    'hex',
    /^(?:0x[0-9a-f]+|[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*)$/i,
  ],
  ['number', /^[-+<>~]?(?:\d+(?:[.,:]\d+)*|\.\d+)(?:e[-+]?\d+)?%?$/i],
];

/** Characters that split a token into pieces for the digit rule. */
const PIECE_DELIMITERS = /([=:,()[\]{}<>;'"|@#]|\.{2,})/;

/** A word with a numeric suffix after a dot (`core.2275`): the word stays. */
const NUMBERED_NAME = /^([a-z_]+\.)\d+$/i;

const HAS_DIGIT = /\d/;

/**
 * A word with one trailing digit (`SOCKS5`, `ssh2`, `eth0`, `ext3`) is
 * usually a name, not a value; if it varies, value evidence generalises it.
 */
const NAME_WITH_DIGIT = /^[a-z]{2,}\d$/i;

/** Eight or more hex digits in a row, even without a decimal digit (`ffffffff`). */
const LONG_HEX = /[0-9a-f]{8}/i;
const HEX_PIECE = /^(?:0x)?[0-9a-f]{8,}$/i;

/** An empty value in brackets or quotes: `()`, `[]`, `{}`, `""`, `''`. */
const EMPTY_VALUE = /^([([{"'])([)\]}"'][,;:.]?)$/;

/** Wildcards joined only by separators (`<*>:<*>:<*>`): one variable. */
const ONLY_WILDCARDS = /^<\*>(?:[-:.,_/]*<\*>)*$/;

/** The masked form of one whitespace-separated token. */
export interface MaskedToken {
  /** The token with its variable parts replaced by `<*>`. */
  readonly masked: string;
  /** The kind that masked the whole token, or `undefined` when none did. */
  readonly kind: TokenKind | undefined;
}

/**
 * Masks one whitespace-separated token by type: URL, UUID, IP (v4 or v6,
 * optional port), path, duration, size, hex, number; a token that matches none
 * of these is split on punctuation and each piece holding a digit is masked.
 *
 * The rules are the same for every log source; nothing here is tuned to a
 * dataset.
 *
 * @param token - one token, without whitespace
 * @returns the masked token and the kind that masked it, if any
 * @see https://jiemingzhu.github.io/pub/pjhe_icws2017.pdf (Drain, §III-A pre-processing)
 */
export function maskToken(token: string): MaskedToken {
  const empty = EMPTY_VALUE.exec(token);
  if (empty !== null) {
    return { masked: `${empty[1]}${WILDCARD}${empty[2]}`, kind: 'empty' };
  }
  if (!HAS_DIGIT.test(token) && !token.includes('/') && !LONG_HEX.test(token)) {
    return { masked: token, kind: undefined };
  }
  const lead = LEADING_PUNCTUATION.exec(token)?.[0] ?? '';
  const rest = token.slice(lead.length);
  const trail = TRAILING_PUNCTUATION.exec(rest)?.[0] ?? '';
  const core = rest.slice(0, rest.length - trail.length);
  if (core.length > 0) {
    for (const [kind, rule] of WHOLE_TOKEN_RULES) {
      if (kind === 'path' && core.length < 2) {
        continue;
      }
      if (rule.test(core)) {
        return { masked: `${lead}${WILDCARD}${trail}`, kind };
      }
    }
  }
  if (!HAS_DIGIT.test(token) && !LONG_HEX.test(token)) {
    return { masked: token, kind: undefined };
  }
  const pieces = token.split(PIECE_DELIMITERS);
  let masked = '';
  for (const piece of pieces) {
    const variable =
      (HAS_DIGIT.test(piece) && !NAME_WITH_DIGIT.test(piece)) ||
      HEX_PIECE.test(piece);
    const numbered = NUMBERED_NAME.exec(piece);
    masked +=
      numbered !== null
        ? `${numbered[1]}${WILDCARD}`
        : variable
          ? WILDCARD
          : piece;
  }
  if (ONLY_WILDCARDS.test(masked)) {
    return { masked: WILDCARD, kind: 'digits' };
  }
  return { masked, kind: undefined };
}

/**
 * Date-times written with spaces (`Fri Jun 17 20:55:07 2005`,
 * `2016-09-28 04:30:30.123`, `Jun 17, 2005 8:55:07 PM`): one variable each.
 */
const DATE_TIME = new RegExp(
  [
    String.raw`(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?(?:\s+\d{4},?)?\s+\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:\s*[AP]M)?(?:\s+[A-Z]{2,5})?(?:\s+\d{4})?`,
    String.raw`\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T\s]+\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?`,
  ].join('|'),
  'g',
);

/** Splits text on whitespace, keeping date-times (which contain spaces) whole. */
function tokenize(message: string): { dates: Set<number>; raw: string[] } {
  const raw: string[] = [];
  const dates = new Set<number>();
  const pushWords = (text: string): void => {
    for (const word of text.split(/\s+/)) {
      if (word.length > 0) {
        raw.push(word);
      }
    }
  };
  if (!/\d[:/-]\d|\d:\d/.test(message)) {
    pushWords(message);
    return { dates, raw };
  }
  let last = 0;
  for (const match of message.matchAll(DATE_TIME)) {
    const start = match.index;
    const before = message[start - 1];
    const after = message[start + match[0].length];
    // Only whole tokens: a date glued to other characters stays with them.
    if (
      (before !== undefined && !/[\s([]/.test(before)) ||
      (after !== undefined && !/[\s,;.)\]]/.test(after))
    ) {
      continue;
    }
    pushWords(message.slice(last, start));
    dates.add(raw.length);
    raw.push(match[0]);
    last = start + match[0].length;
  }
  pushWords(message.slice(last));
  return { dates, raw };
}

/**
 * Splits a message on whitespace and masks each token with {@link maskToken};
 * a date-time written with spaces is one variable. Words next to a number
 * stay constant (`3.2 ms`, `2048 bytes (2.0 KB)` keep `ms`, `bytes` and
 * `KB)`): a masking rule never joins messages whose constant words differ.
 *
 * @param message - one log message, without its header
 * @returns the masked tokens and the original tokens, position by position
 */
export function maskMessage(message: string): {
  masked: string[];
  tokens: string[];
} {
  const { dates, raw } = tokenize(message);
  const masked: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i];
    if (dates.has(i)) {
      masked.push(WILDCARD);
      tokens.push(token);
      continue;
    }
    const result = maskToken(token);
    masked.push(result.masked);
    tokens.push(token);
  }
  return { masked, tokens };
}
