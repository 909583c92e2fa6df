/**
 * What a text must contain for an RE2 pattern to match it: a condition on literal substrings
 * (`\bdef |stack ?trace` needs "def " or "stack"), checked with String.includes. When it fails the
 * pattern cannot match, so RE2 need not load, compile or run; when it holds, RE2 decides. It is a
 * necessary condition only, never a match: every match is still RE2's.
 *
 * The analysis reads the pattern the way RE2 parses it (the source compiled before, at validation)
 * and gives up (no condition: RE2 always runs) on anything it does not model: \Q...\E, \x and octal
 * escapes, case-insensitive groups, non-ASCII letters under the i flag.
 */
export type Prefilter = { lit: string } | { and: Prefilter[] } | { or: Prefilter[] };

/** `undefined`: no condition (anything may match). */
type Cond = Prefilter | undefined;
/** What one part of a pattern matches: exactly one of a few strings, or strings meeting a condition. */
type Info = { exact: string[] } | { match: Cond };

const MAX_EXACT = 16;
const ANY: Info = { match: undefined };
const EMPTY = { exact: [''] };

class GiveUp extends Error {}

function and(a: Cond, b: Cond): Cond {
  if (!a) return b;
  if (!b) return a;
  return { and: [...('and' in a ? a.and : [a]), ...('and' in b ? b.and : [b])] };
}

function or(a: Cond, b: Cond): Cond {
  if (!a || !b) return undefined;
  return { or: [...('or' in a ? a.or : [a]), ...('or' in b ? b.or : [b])] };
}

function cond(info: Info): Cond {
  if ('match' in info) return info.match;
  if (info.exact.includes('')) return undefined;
  return info.exact.map((lit): Cond => ({ lit })).reduce(or);
}

function alternate(a: Info, b: Info): Info {
  if ('exact' in a && 'exact' in b) {
    const union = [...new Set([...a.exact, ...b.exact])];
    if (union.length <= MAX_EXACT) return { exact: union };
  }
  return { match: or(cond(a), cond(b)) };
}

const CONTROL: Record<string, string> = { a: '\x07', f: '\f', t: '\t', n: '\n', r: '\r', v: '\v' };
const isWordAscii = (c: string) => /^[0-9A-Za-z]$/.test(c);
const REPEAT = /^\{(\d+)(?:,(\d*))?\}/;

class Reader {
  i = 0;
  constructor(
    readonly s: string,
    readonly ci: boolean,
  ) {}

  alternation(): Info {
    let info = this.concatenation();
    while (this.s[this.i] === '|') {
      this.i++;
      info = alternate(info, this.concatenation());
    }
    return info;
  }

  /** A run of exact parts keeps its strings whole ("end" rather than "e", "n" and "d"). */
  concatenation(): Info {
    let exact = EMPTY.exact;
    let before: Cond;
    let allExact = true;
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const part = this.repeated(this.atom());
      if ('exact' in part && exact.length * part.exact.length <= MAX_EXACT) {
        exact = [...new Set(exact.flatMap((x) => part.exact.map((y) => x + y)))];
        continue;
      }
      before = and(before, cond({ exact }));
      allExact = false;
      if ('exact' in part) exact = part.exact;
      else {
        before = and(before, part.match);
        exact = EMPTY.exact;
      }
    }
    return allExact ? { exact } : { match: and(before, cond({ exact })) };
  }

  /** An atom and the repetition operators after it: at least one occurrence keeps its condition. */
  repeated(atom: Info): Info {
    let info = atom;
    for (;;) {
      const c = this.s[this.i];
      let min: number;
      if (c === '*' || c === '?') min = 0;
      else if (c === '+') min = 1;
      else if (c === '{' && REPEAT.test(this.s.slice(this.i))) min = Number(REPEAT.exec(this.s.slice(this.i))![1]);
      else return info;
      this.i += c === '{' ? REPEAT.exec(this.s.slice(this.i))![0].length : 1;
      if (this.s[this.i] === '?') this.i++; // non-greedy: the same strings
      info = min === 0 ? ANY : { match: cond(info) };
    }
  }

  atom(): Info {
    const c = this.s[this.i]!;
    if (c === '(') return this.group();
    if (c === '[') return this.skipClass();
    if (c === '\\') return this.escape();
    this.i++;
    if (c === '.') return ANY;
    if (c === '^' || c === '$') return EMPTY;
    // A repetition with nothing to repeat is not valid RE2 (a `{` that is no repetition is a literal).
    if (c === '*' || c === '+' || c === '?' || (c === '{' && REPEAT.test(this.s.slice(this.i - 1)))) throw new GiveUp();
    return this.literal(c);
  }

  literal(c: string): Info {
    const code = c.charCodeAt(0);
    // Surrogates (astral characters, or lone ones that RE2 reads as U+FFFD) and U+FFFD itself.
    if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffd) {
      if (code >= 0xd800 && code <= 0xdbff && this.s.charCodeAt(this.i) >= 0xdc00 && this.s.charCodeAt(this.i) <= 0xdfff) this.i++;
      return ANY;
    }
    if (!this.ci) return { exact: [c] };
    if (code >= 0x80) return ANY; // Unicode case folding: not modelled
    return { exact: [c.toLowerCase()] };
  }

  group(): Info {
    this.i++;
    if (this.s[this.i] === '?') {
      const named = /^\?P?<\w+>/.exec(this.s.slice(this.i));
      if (named) this.i += named[0].length;
      else {
        const flags = /^\?([imsU-]*)([:)])/.exec(this.s.slice(this.i));
        if (!flags || flags[1]!.includes('i')) throw new GiveUp();
        this.i += flags[0].length;
        // (?s) and the like change no literal: they match the empty string.
        if (flags[2] === ')') return EMPTY;
      }
    }
    const info = this.alternation();
    if (this.s[this.i] !== ')') throw new GiveUp();
    this.i++;
    return info;
  }

  /** A character class matches one character of many: no condition. Skips to its closing bracket. */
  skipClass(): Info {
    let j = this.i + 1;
    if (this.s[j] === '^') j++;
    if (this.s[j] === ']') j++;
    for (;;) {
      const c = this.s[j];
      if (c === undefined) throw new GiveUp();
      if (c === ']') break;
      if (c === '\\') {
        if (this.s[j + 1] === 'Q') throw new GiveUp();
        j += 2;
      } else if (c === '[' && this.s[j + 1] === ':' && this.s.indexOf(':]', j + 2) !== -1) {
        j = this.s.indexOf(':]', j + 2) + 2;
      } else j++;
    }
    this.i = j + 1;
    return ANY;
  }

  escape(): Info {
    const c = this.s[this.i + 1];
    if (c === undefined) throw new GiveUp();
    this.i += 2;
    if (c.charCodeAt(0) < 0x80 && !isWordAscii(c)) return this.literal(c);
    if (c in CONTROL) return this.literal(CONTROL[c]!);
    if ('bBAz'.includes(c)) return EMPTY;
    if ('dDsSwWC'.includes(c)) return ANY;
    if (c === 'p' || c === 'P') {
      if (this.s[this.i] === '{') {
        const end = this.s.indexOf('}', this.i);
        if (end === -1) throw new GiveUp();
        this.i = end + 1;
      } else this.i++;
      return ANY;
    }
    throw new GiveUp();
  }
}

/**
 * The literal condition of a pattern that RE2 compiled, in RE2 syntax with the i flag or not, or
 * undefined when there is none to check (or the pattern uses what the analysis does not model).
 */
export function regexPrefilter(pattern: string, caseInsensitive: boolean): Prefilter | undefined {
  try {
    const reader = new Reader(pattern, caseInsensitive);
    const info = reader.alternation();
    if (reader.i !== pattern.length) return undefined;
    return cond(info);
  } catch (err) {
    if (err instanceof GiveUp) return undefined;
    throw err;
  }
}

/**
 * The text as the literals of a case-insensitive pattern are compared with it: lower case, and the
 * two characters outside ASCII that RE2 folds to ASCII letters (K, the Kelvin sign, lowers to k by
 * itself; ſ, the long s, does not) mapped to them.
 */
export const foldForPrefilter = (text: string) => text.toLowerCase().replaceAll('ſ', 's');

/** False when the text cannot contain a match. */
export function mayMatch(filter: Prefilter, text: string): boolean {
  if ('lit' in filter) return text.includes(filter.lit);
  if ('and' in filter) return filter.and.every((f) => mayMatch(f, text));
  return filter.or.some((f) => mayMatch(f, text));
}
