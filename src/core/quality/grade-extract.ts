/**
 * Pulling a graded value out of a free-text LLM answer: the numbers in it, the multiple-choice
 * letter it picked, the JSON it holds. Pure string work; grade.ts decides what is correct.
 */

const SEPARATOR = '[,\\u00A0\\u202F\\u2009]';

/**
 * A number as people and models write it. Not inside a word ("abc123", "COVID-19", "1.2.3" after
 * its first part); a sign only when it is not a hyphen between words or a range dash ("10-20" is
 * 10 and 20); an optional currency sign; thousands grouped by commas or (narrow) no-break spaces
 * in strict groups of three; a decimal point; an exponent. Units and "%" after it are ignored.
 */
const NUMBER = new RegExp(
  '(?<![\\p{L}\\p{N}_])(?<!\\p{L}-)(?<!\\d\\.)' +
    '([-+]?)[$€£¥₹]?' +
    `((?:\\d{1,3}(${SEPARATOR})\\d{3}(?:\\3\\d{3})*(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+)` +
    '([eE][-+]?\\d+)?',
  'gu',
);

/** Every number in the text, in order. The unicode minus (U+2212) counts as a minus sign. */
export function extractNumbers(text: string): number[] {
  const out: number[] = [];
  for (const m of text.replace(/\u2212/g, '-').matchAll(NUMBER)) {
    const sep = m[3];
    const body = sep === undefined ? m[2]! : m[2]!.split(sep).join('');
    const value = Number(`${m[1] ?? ''}${body}${m[4] ?? ''}`);
    if (Number.isFinite(value)) out.push(value);
  }
  return out;
}

/** Equal within a relative tolerance of 1e-9 (so 0.1 + 0.2 equals 0.3, and 0 only equals 0). */
export function numbersEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

const NOT_WORD = '(?![\\p{L}\\p{N}_\'’])';
/**
 * "Answer: D", "the answer is b", "final answer is (C)", "answer is option C", "the correct option
 * is E", "Choice: c". "option"/"choice" count only before "is" or ":", so that discussing
 * "Option A is wrong" after the answer does not override it.
 */
const EXPLICIT = new RegExp(
  `\\b(?:answer(?:\\s+is)?|(?:option|choice)(?:\\s+is|\\s*[:=]))\\s*[:=-]?\\s*(?:option\\s+|choice\\s+)?[(\\[]?([A-Ea-e])${NOT_WORD}`,
  'giu',
);
const STANDALONE = new RegExp(`(?<![\\p{L}\\p{N}_'’])([A-Ea-e])${NOT_WORD}`, 'gu');
/** Emphasis and code marks that wrap a letter: "**C**", "`B`", "_D_". */
const MARKUP = /[*_`]/g;
const WINDOW = 40;

/**
 * The letter A-E an answer picks, upper-cased, or null. In order:
 * 1. the LAST explicit form ("Answer: X", "the answer is X", "the correct option is X"): models that think aloud
 *    end with their final choice, so the last one wins over letters discussed on the way;
 * 2. an answer that is only a letter, in any case and wrapping ("b", "(c)", "D.");
 * 3. the FIRST standalone letter: upper-case, or lower-case in brackets ("(b)", "c)").
 * Not letters: parts of words ("I'd", "e.g.", "Ph.D."), the article "a" after an explicit form
 * ("the answer is a bit unclear"), and a sentence-initial article "A" before a lower-case word.
 */
export function extractChoice(answer: string): string | null {
  const text = answer.replace(MARKUP, '');
  let explicit: string | null = null;
  for (const m of text.matchAll(EXPLICIT)) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + WINDOW);
    if (m[1] === 'a' && /^\s+\p{L}/u.test(after)) continue;
    explicit = m[1]!.toUpperCase();
  }
  if (explicit !== null) return explicit;

  const bare = /^[\s("'[]*([A-Ea-e])[\s)"'\].:]*$/.exec(text);
  if (bare) return bare[1]!.toUpperCase();

  for (const m of text.matchAll(STANDALONE)) {
    const letter = m[1]!;
    // Bounded context keeps a long essay full of the article "a" linear; NUL marks a cut-off start.
    const from = Math.max(0, m.index - WINDOW);
    const before = (from === 0 ? '' : '\0') + text.slice(from, m.index);
    const after = text.slice(m.index + 1, m.index + 1 + WINDOW);
    if (/\p{L}\.$/u.test(before) || /^\.\p{L}/u.test(after)) continue; // e.g., i.e., Ph.D.
    if (letter === letter.toLowerCase()) {
      if (/[([]$/.test(before) || /^[)\]]/.test(after)) return letter.toUpperCase();
      continue;
    }
    const sentenceStart = /(?:^|[.!?\n])\s*$/.test(before);
    if (letter === 'A' && sentenceStart && /^\s+\p{Ll}/u.test(after)) continue;
    return letter;
  }
  return null;
}

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; message: string };

function tryParse(text: string): JsonExtraction {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** A fence closes only at the start of a line, so a ``` inside a JSON string does not end it. */
const FENCE = /```[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)\n[ \t]*```/g;
/** Each try scans to the span's end: bounded, so a pathological answer stays linear. */
const MAX_SPANS = 50;

/** The end (exclusive) of the bracketed span opening at `start`, skipping strings; -1 if unclosed. */
function spanEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The JSON an answer holds: the whole answer; else its first ```json fenced block (or first
 * unlabelled fence), which must then parse; else the first balanced {...} or [...] span that
 * parses ("Here it is: {...}. Hope this helps").
 */
export function extractJson(answer: string): JsonExtraction {
  const text = answer.trim();
  if (text === '') return { ok: false, message: 'the answer is empty' };
  const whole = tryParse(text);
  if (whole.ok) return whole;

  const fences = [...text.matchAll(FENCE)];
  const fence = fences.find((f) => f[1]!.toLowerCase() === 'json') ?? fences.find((f) => f[1] === '');
  if (fence) {
    const parsed = tryParse(fence[2]!.trim());
    return parsed.ok ? parsed : { ok: false, message: `the fenced block is not valid JSON: ${parsed.message}` };
  }

  let first: string | undefined;
  let tries = 0;
  for (let i = 0; i < text.length && tries < MAX_SPANS; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    tries++;
    const end = spanEnd(text, i);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(i, end));
    if (parsed.ok) return parsed;
    first ??= parsed.message;
  }
  if (first === undefined && !/[{[]/.test(text)) return { ok: false, message: 'no JSON in the answer' };
  return { ok: false, message: `the answer is not valid JSON: ${first ?? whole.message}` };
}

/** Where two JSON values first differ ("$.items[2].name: 3 ≠ 4"), or null when deep-equal. Key order is ignored. */
export function jsonDifference(actual: unknown, expected: unknown, path = '$'): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`;
    if (actual.length !== expected.length) return `${path}: ${actual.length} items, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object`;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!Object.hasOwn(a, key)) return `${path}: missing key "${key}"`;
    }
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(e, key)) return `${path}: unexpected key "${key}"`;
    }
    for (const key of Object.keys(e)) {
      const d = jsonDifference(a[key], e[key], `${path}.${key}`);
      if (d !== null) return d;
    }
    return null;
  }
  return actual === expected ? null : `${path}: ${JSON.stringify(actual) ?? 'undefined'} ≠ ${JSON.stringify(expected)}`;
}
