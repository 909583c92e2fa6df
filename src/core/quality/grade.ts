import { extractChoice, extractJson, extractNumbers, jsonDifference, numbersEqual } from './grade-extract.js';

export type GraderName = 'exact' | 'contains' | 'regex' | 'number' | 'json' | 'choice';
export const GRADER_NAMES: readonly GraderName[] = ['exact', 'contains', 'regex', 'number', 'json', 'choice'];

export function isGraderName(name: string): name is GraderName {
  return (GRADER_NAMES as readonly string[]).includes(name);
}

export interface Grade {
  correct: boolean;
  /** Why an answer was judged wrong ("last number is 20, expected 10"), for regressions and debugging. */
  detail?: string | undefined;
}

export type Grader = (answer: string) => Grade;
export type CompiledExpected = { ok: true; grade: Grader } | { ok: false; message: string };

/** A bad `expected` reaching grade(): validation at the input edge (checkExpected) was skipped. */
export class ExpectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectedError';
  }
}

/**
 * Whether a record carries an expected answer. null counts as absent, as in most JSONL exports.
 * Only the json grader can grade without one (the answer must then merely be JSON).
 */
export function hasExpected(expected: unknown): boolean {
  return expected !== undefined && expected !== null;
}

const HEAD = 60;
function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > HEAD ? `${flat.slice(0, HEAD - 1)}…` : flat);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * exact: whitespace trimmed and collapsed, Unicode NFKC, case-insensitive, and stripped of the
 * wrapping a model adds to a bare answer (quotes, `code`, **bold**, a final "." or "!"). Both
 * sides get the same treatment, so "**Paris.**" equals "paris". Case-insensitive because a model
 * answering "paris" or "PARIS" for "Paris" has the fact right; use regex when case matters.
 */
export function canonicalText(text: string): string {
  let t = text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  for (let before = ''; before !== t; ) {
    before = t;
    t = t
      .replace(/^[*_`"'“‘]+/u, '')
      .replace(/[*_`"'”’.!。]+$/u, '')
      .trim();
  }
  return t.toLowerCase();
}

/** contains: the same folding as exact minus the stripping; a plain substring test. */
function foldText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

const SLASHED = /^\/(.*)\/([a-z]*)$/s;

function compileRegex(source: string): RegExp | string {
  const slashed = SLASHED.exec(source);
  const pattern = slashed ? slashed[1]! : source;
  // g and y make test() stateful (lastIndex carries over from one answer to the next).
  const flags = slashed ? slashed[2]!.replace(/[gy]/g, '') : '';
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    return `regex ${JSON.stringify(source)} does not compile: ${(err as Error).message}`;
  }
}

function parseExpectedNumber(value: unknown): number | string {
  if (typeof value === 'number') return Number.isFinite(value) ? value : `${String(value)} is not a finite number`;
  if (typeof value !== 'string') return `must be a number or a numeric string, not ${kindOf(value)}`;
  const numbers = extractNumbers(value);
  if (numbers.length === 1) return numbers[0]!;
  return numbers.length === 0
    ? `${JSON.stringify(value)} is not a number`
    : `${JSON.stringify(value)} holds ${numbers.length} numbers; give one`;
}

function parseExpectedLetter(value: unknown): string {
  const m = typeof value === 'string' ? /^\s*\(?\s*([A-Ea-e])\s*[).]?\s*$/.exec(value) : null;
  if (!m) throw new ExpectedError(`${JSON.stringify(value)} is not a choice letter A-E`);
  return m[1]!.toUpperCase();
}

/** The alternatives of a text-like expected: one value or a non-empty list, each parsed by `parse`. */
function alternatives<T>(expected: unknown, parse: (value: unknown) => T): T[] {
  const list = Array.isArray(expected) ? expected : [expected];
  if (list.length === 0) throw new ExpectedError('expected is an empty list');
  return list.map((value, i) => {
    const where = Array.isArray(expected) ? `expected[${i}]` : 'expected';
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof ExpectedError) throw new ExpectedError(`${where}: ${err.message}`);
      throw err;
    }
  });
}

function text(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new ExpectedError(`must be a string or a number, not ${kindOf(value)}`);
  if (value.trim() === '') throw new ExpectedError('is empty');
  return value;
}

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as object).every(isJsonValue);
  }
  return false;
}

function buildGrader(expected: unknown, grader: GraderName): Grader {
  if (!hasExpected(expected) && grader !== 'json') throw new ExpectedError(`the ${grader} grader needs an expected answer`);
  switch (grader) {
    case 'exact': {
      const wanted = alternatives(expected, (v) => canonicalText(text(v)));
      return (answer) => {
        const got = canonicalText(answer);
        return wanted.includes(got) ? { correct: true } : { correct: false, detail: `answer ${quote(answer)} is not the expected one` };
      };
    }
    case 'contains': {
      const wanted = alternatives(expected, (v) => foldText(text(v)));
      return (answer) => {
        const got = foldText(answer);
        return wanted.some((w) => got.includes(w)) ? { correct: true } : { correct: false, detail: 'the answer does not contain the expected text' };
      };
    }
    case 'regex': {
      const patterns = alternatives(expected, (v) => {
        const re = compileRegex(text(v));
        if (typeof re === 'string') throw new ExpectedError(re);
        return re;
      });
      // Trimmed, so that ^...$ is not defeated by the newline many models end with.
      return (answer) =>
        patterns.some((re) => re.test(answer.trim())) ? { correct: true } : { correct: false, detail: `no match for ${patterns.map(String).join(' or ')}` };
    }
    case 'number': {
      const wanted = alternatives(expected, (v) => {
        const n = parseExpectedNumber(v);
        if (typeof n === 'string') throw new ExpectedError(n);
        return n;
      });
      return (answer) => {
        const last = extractNumbers(answer).at(-1);
        if (last === undefined) return { correct: false, detail: 'no number in the answer' };
        return wanted.some((w) => numbersEqual(last, w))
          ? { correct: true }
          : { correct: false, detail: `last number is ${last}, expected ${wanted.join(' or ')}` };
      };
    }
    case 'json': {
      // One expected value: a list here is the expected JSON array, not a set of alternatives.
      let wanted: { value: unknown } | undefined;
      if (typeof expected === 'string') {
        try {
          wanted = { value: JSON.parse(expected) as unknown };
        } catch (err) {
          throw new ExpectedError(`expected is not valid JSON: ${(err as Error).message}`);
        }
      } else if (hasExpected(expected)) {
        if (!isJsonValue(expected)) throw new ExpectedError(`expected is not a JSON value`);
        wanted = { value: expected };
      }
      return (answer) => {
        const got = extractJson(answer);
        if (!got.ok) return { correct: false, detail: got.message };
        if (wanted === undefined) return { correct: true };
        const diff = jsonDifference(got.value, wanted.value);
        return diff === null ? { correct: true } : { correct: false, detail: `JSON differs: ${diff}` };
      };
    }
    case 'choice': {
      const wanted = alternatives(expected, parseExpectedLetter);
      return (answer) => {
        const letter = extractChoice(answer);
        if (letter === null) return { correct: false, detail: 'no choice letter A-E in the answer' };
        return wanted.includes(letter) ? { correct: true } : { correct: false, detail: `chose ${letter}, expected ${wanted.join(' or ')}` };
      };
    }
    default: {
      const never: never = grader;
      throw new ExpectedError(`unknown grader ${String(never)}`);
    }
  }
}

/**
 * Validate a record's `expected` for a grader once, and get back the function that grades answers
 * against it. Text graders (exact, contains, regex, number, choice) take one value or a list of
 * acceptable ones; json takes one JSON value (a string is read as JSON text) or none.
 */
export function compileExpected(expected: unknown, grader: GraderName): CompiledExpected {
  try {
    return { ok: true, grade: buildGrader(expected, grader) };
  } catch (err) {
    if (err instanceof ExpectedError) return { ok: false, message: err.message };
    throw err;
  }
}

/** The problem with a record's `expected` for this grader, or undefined when it can be graded. */
export function checkExpected(expected: unknown, grader: GraderName): string | undefined {
  const compiled = compileExpected(expected, grader);
  return compiled.ok ? undefined : compiled.message;
}

/** Grade one answer. Throws ExpectedError when `expected` does not suit the grader (see checkExpected). */
export function grade(answer: string, expected: unknown, grader: GraderName): Grade {
  return buildGrader(expected, grader)(answer);
}

/** `expected` as one line of text, for regression lists. */
export function describeExpected(expected: unknown): string {
  if (typeof expected === 'string') return expected;
  if (Array.isArray(expected) && expected.every((v) => typeof v === 'string' || typeof v === 'number')) return expected.join(' | ');
  return JSON.stringify(expected) ?? '';
}
