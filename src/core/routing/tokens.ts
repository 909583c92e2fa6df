/** Counts the tokens of a text. `exact` says whether it is a real tokenizer or an estimate. */
export interface TokenCounter {
  name: string;
  exact: boolean;
  count(text: string): number;
}

// The text is cut into pieces shaped like a BPE pre-tokenizer's, exactly as this regex would cut
// it with matchAll (the hand-written scanner below does the same cut without a match per piece):
//   /\s?[\p{L}\p{M}]+|\p{N}{1,3}|\s?[^\s\p{L}\p{M}\p{N}]+|\n+|\s+/gu
// a word with its leading space, a run of up to three digits, a run of punctuation, line breaks,
// other white space.
const SPACE = 1;
const LETTER = 2;
const NUMBER = 3;
const OTHER = 4;
type CharClass = typeof SPACE | typeof LETTER | typeof NUMBER | typeof OTHER;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function classifyCodePoint(cp: number): CharClass {
  const ch = String.fromCodePoint(cp);
  if (/\s/u.test(ch)) return SPACE;
  if (/[\p{L}\p{M}]/u.test(ch)) return LETTER;
  if (/\p{N}/u.test(ch)) return NUMBER;
  return OTHER;
}

// Classes of UTF-16 code units, filled in on first sight (0: not yet classified). Surrogates
// are never stored: a pair is classified as one code point, a lone one is OTHER.
const unitClass = new Uint8Array(0x10000);
// ASCII without the Unicode-property regexes, whose compiling is a good part of a one-shot's start-up.
for (let c = 0; c < 128; c++) {
  unitClass[c] = c === 32 || (c >= 9 && c <= 13) ? SPACE : (c | 32) >= 97 && (c | 32) <= 122 ? LETTER : c >= 48 && c <= 57 ? NUMBER : OTHER;
}
const astralClass = new Map<number, CharClass>();

/** The class of the code point at `i`; `width` is set to its length in code units. */
let width = 1;
function classAt(text: string, i: number): CharClass {
  const c = text.charCodeAt(i);
  const known = unitClass[c]!;
  width = 1;
  if (known !== 0) return known as CharClass;
  if (c >= 0xd800 && c <= 0xdfff) {
    const next = c <= 0xdbff ? text.charCodeAt(i + 1) : NaN;
    if (!(next >= 0xdc00 && next <= 0xdfff)) return OTHER;
    width = 2;
    const cp = (c - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
    let cls = astralClass.get(cp);
    if (cls === undefined) astralClass.set(cp, (cls = classifyCodePoint(cp)));
    return cls;
  }
  return (unitClass[c] = classifyCodePoint(c));
}

/** The end of the run of `cls` code points that starts at `i`. */
function runEnd(text: string, i: number, cls: CharClass): number {
  const n = text.length;
  if (cls === LETTER) {
    // The common case, ASCII letters, without a call per character.
    for (; i < n; i++) {
      const c = text.charCodeAt(i) | 0x20;
      if (c < 97 || c > 122) break;
    }
  }
  while (i < n && classAt(text, i) === cls) i += width;
  return i;
}

/** Tokens for one piece; `blank` says the piece is all white space. */
function pieceTokens(text: string, start: number, end: number, blank: boolean): number {
  const first = text.charCodeAt(start);
  const isSpace = first === 32 || first === 9 || first === 10 || first === 13;
  const core = isSpace ? end - start - 1 : end - start;
  if (core <= 0) return 1;
  const c = text.charCodeAt(isSpace ? start + 1 : start);
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
  if (letter) {
    if (c > 127 && CJK.test(text.slice(start, end))) return core;
    return core <= 9 ? 1 : Math.ceil(core / 6);
  }
  if (c >= 48 && c <= 57) return 1;
  if (blank) return 1;
  return Math.ceil(core / 2);
}

/** Any text, a piece at a time. */
function estimateAny(text: string): number {
  const n = text.length;
  let total = 0;
  for (let i = 0; i < n; ) {
    const start = i;
    const cls = classAt(text, i);
    i += width;
    let blank = false;
    if (cls === LETTER || cls === OTHER) {
      i = runEnd(text, i, cls);
    } else if (cls === NUMBER) {
      for (let k = 1; k < 3 && i < n && classAt(text, i) === NUMBER; k++) i += width;
    } else {
      // White space joins a word or punctuation run that follows it; else it is a run of its own:
      // line feeds alone when it starts with one, any white space otherwise.
      const next = i < n ? classAt(text, i) : SPACE;
      if (next === LETTER || next === OTHER) {
        i = runEnd(text, i + width, next);
      } else if (text.charCodeAt(start) === 10) {
        while (i < n && text.charCodeAt(i) === 10) i++;
        blank = true;
      } else {
        i = runEnd(text, i, SPACE);
        blank = true;
      }
    }
    total += pieceTokens(text, start, i, blank);
  }
  return total;
}

// What the state machine below reads: 0 letter, 1 digit, 2 punctuation, 3 space, tab or CR,
// 4 line feed, 5 anything else (vertical tab, form feed, not ASCII), which hands the text to
// estimateAny.
const KIND = new Uint8Array(0x10000).fill(5);
for (let c = 0; c < 128; c++) {
  const cls = unitClass[c];
  KIND[c] = cls === LETTER ? 0 : cls === NUMBER ? 1 : cls === OTHER ? 2 : c === 10 ? 4 : c === 11 || c === 12 ? 5 : 3;
}

// For text that is all ASCII (but vertical tab and form feed), the same count as estimateAny in
// one table-driven pass, several times faster: a state machine that reads a character per step
// and adds each piece's tokens as soon as they are certain. States: a letter run at position
// 1..18 (past 18 it cycles back to 13: a long word counts a token per 6 letters), a digit run at
// 1..3, a punctuation run at an odd or even position, and four states of a white-space run,
// whose space or line feed joins the word or punctuation after it when it is a piece of one
// character. The rules mirror pieceTokens; test/core/tokens-scanner.test.ts holds both to the
// regex above.
const START = 0;
const DIGIT1 = 19;
const PUNCT_ODD = 22;
const PUNCT_EVEN = 23;
const LF_ONE = 24; // a run that so far is one line feed (owes its token unless a word follows)
const LF_MORE = 25; // two or more line feeds: their token is counted
const SPACE_ONE = 26; // the first space after any line feeds (owes a token unless a word follows)
const SPACE_MORE = 27; // the rest of the run: counted
const ABORT = 28;
const KINDS = 8;
/** STEP[state * KINDS + kind] = next state * KINDS, shifted left 2, plus the tokens to add. */
const STEP = new Uint16Array(29 * KINDS);
/** Tokens owed when the text ends in a state. */
const END = new Uint8Array(29);
END[LF_ONE] = END[SPACE_ONE] = 1;
for (let state = 0; state <= ABORT; state++) {
  const set = (kind: number, next: number, add: number) => (STEP[state * KINDS + kind] = ((next * KINDS) << 2) | add);
  for (let kind = 0; kind < KINDS; kind++) set(kind, ABORT, 0);
  if (state === ABORT) continue;
  const owed = END[state]!;
  const letterRun = state >= 1 && state <= 18;
  const position = state + 1;
  set(0, letterRun ? (state === 18 ? 13 : position) : 1, !letterRun || position === 10 || position === 13 || state === 18 ? 1 : 0);
  const digitRun = state >= DIGIT1 && state < DIGIT1 + 3;
  set(1, digitRun ? (state === DIGIT1 + 2 ? DIGIT1 : state + 1) : DIGIT1, (digitRun ? (state === DIGIT1 + 2 ? 1 : 0) : 1) + owed);
  set(2, state === PUNCT_ODD ? PUNCT_EVEN : PUNCT_ODD, state === PUNCT_ODD ? 0 : 1);
  const inSpace = state >= LF_ONE;
  set(3, state === SPACE_ONE || state === SPACE_MORE ? SPACE_MORE : SPACE_ONE, owed);
  set(4, !inSpace ? LF_ONE : state === LF_ONE || state === LF_MORE ? LF_MORE : SPACE_MORE, owed);
}

/**
 * A cheap estimate of a text's token count, close to OpenAI's o200k tokenizer on English prose
 * and code (see test/core/tokens.test.ts for how close) and far cheaper: no vocabulary to load.
 */
export function estimateTokens(text: string): number {
  const n = text.length;
  let state = START;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const step = STEP[state + KIND[text.charCodeAt(i)]!]!;
    total += step & 3;
    state = step >> 2;
    if (state === ABORT * KINDS) return estimateAny(text);
  }
  return total + END[state / KINDS]!;
}

export const estimateCounter: TokenCounter = { name: 'estimate', exact: false, count: estimateTokens };
