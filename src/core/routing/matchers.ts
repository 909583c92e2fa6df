import type { MatcherInput } from '../policy/schema.js';
import type { PromptRecord } from '../prompt.js';
import type { Scorer } from '../quality/scorer.js';
import { NO_FILES, type PolicyFiles } from './checks/compile.js';
import { Keywords } from './keywords.js';
import { compileSafeRegex, RegexSyntaxError, validatedSafeRegex, type KnownPrefilters, type SafeRegex } from './safe-regex.js';

export type FieldValue = string | number | boolean | null;

export type Matcher =
  | { kind: 'regex'; re: SafeRegex; source: string }
  | { kind: 'keywords'; words: string[]; re: Keywords }
  | { kind: 'min_tokens'; n: number }
  | { kind: 'max_tokens'; n: number }
  | { kind: 'field'; key: string; path: string[]; values: FieldValue[] }
  | { kind: 'all'; of: Matcher[] }
  | { kind: 'any'; of: Matcher[] }
  | { kind: 'not'; of: Matcher }
  | { kind: 'score'; file: string; scorer: Scorer; threshold: number }
  | SimilarMatcher;

/** `similar_to`: the prompt's similarity to the nearest example reaches the threshold. */
export interface SimilarMatcher {
  kind: 'similar';
  /** Where it sits in the policy (`classes[0].when.similar_to`): the key of its feature. */
  key: string;
  path: (string | number)[];
  examples: string[];
  examplesFile?: string | undefined;
  threshold: number;
}

/** A prompt's similarity to the nearest examples of one `similar_to`, best first (at least one). */
export interface SimilarHit {
  score: number;
  /** Index into the matcher's examples. */
  example: number;
  /** The nearest few, best first, when asked for (explain). */
  ranked?: { example: number; score: number }[] | undefined;
}

/** What a matcher looks at. Token counting is lazy: most prompts are decided without it. */
export interface MatchSubject {
  /** The user's text: every user message, joined. */
  text: string;
  /** Prompt tokens: system prompt and all messages, as they will be billed. */
  tokens(): number;
  /** An upper bound on tokens that costs nothing (UTF-8 bytes), for deciding bounds early. */
  maxTokensBound: number;
  /** The text is all ASCII (keywords conditions then take their faster form); unknown: looked at when asked. */
  ascii?: boolean | undefined;
  fields: Readonly<Record<string, unknown>>;
  /** Precomputed by the features step (see features.ts), by SimilarMatcher key. */
  similar?: ReadonlyMap<string, SimilarHit> | undefined;
  /** The prompt itself, for a learned prompt scorer. */
  prompt?: PromptRecord | undefined;
}

export class MatcherCompileError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly hint?: string,
  ) {
    super(message);
  }
}

function compileRegex(source: string, path: (string | number)[], validated: false | KnownPrefilters): SafeRegex {
  try {
    return validated ? validatedSafeRegex(source, validated) : compileSafeRegex(source);
  } catch (err) {
    if (!(err instanceof RegexSyntaxError)) throw err;
    throw new MatcherCompileError(`regex does not compile: ${err.message}`, path);
  }
}

/**
 * Compile a condition that passed the schema. A mapping with several keys means all of them.
 * `validated`: the whole policy validated before, so its regexes compile (RE2 compiles them on first
 * use), with the prefilters of its regexes worked out then, if kept.
 */
export function compileMatcher(input: MatcherInput, path: (string | number)[], files: PolicyFiles = NO_FILES, validated: false | KnownPrefilters = false): Matcher {
  const parts: Matcher[] = [];
  if (input.regex !== undefined) {
    parts.push({ kind: 'regex', re: compileRegex(input.regex, [...path, 'regex'], validated), source: input.regex });
  }
  if (input.keywords !== undefined) {
    const words = input.keywords.map((w) => w.trim()).filter(Boolean);
    parts.push({ kind: 'keywords', words, re: new Keywords(words) });
  }
  if (input.min_prompt_tokens !== undefined) parts.push({ kind: 'min_tokens', n: input.min_prompt_tokens });
  if (input.max_prompt_tokens !== undefined) parts.push({ kind: 'max_tokens', n: input.max_prompt_tokens });
  if (input.field !== undefined) {
    for (const [key, expected] of Object.entries(input.field)) {
      const values = Array.isArray(expected) ? expected : [expected];
      parts.push({ kind: 'field', key, path: key.split('.'), values });
    }
  }
  if (input.all !== undefined) {
    parts.push({ kind: 'all', of: input.all.map((m, i) => compileMatcher(m, [...path, 'all', i], files, validated)) });
  }
  if (input.any !== undefined) {
    parts.push({ kind: 'any', of: input.any.map((m, i) => compileMatcher(m, [...path, 'any', i], files, validated)) });
  }
  if (input.not !== undefined) parts.push({ kind: 'not', of: compileMatcher(input.not, [...path, 'not'], files, validated) });
  if (input.similar_to !== undefined) {
    const at = [...path, 'similar_to'];
    const { examples, examples_file: file, threshold } = input.similar_to;
    // examples_file is read at validation, which puts its lines in `examples`.
    if (examples === undefined) throw new MatcherCompileError(`examples_file ${file} was not read`, [...at, 'examples_file']);
    parts.push({ kind: 'similar', key: formatKey(at), path: at, examples, examplesFile: file, threshold });
  }
  if (input.score !== undefined) parts.push(compileScore(input.score.file, input.score.threshold, [...path, 'score', 'file'], files));
  return parts.length === 1 ? parts[0]! : { kind: 'all', of: parts };
}

const SCORER_HINT = '`frugal train` writes scorer files; paths are relative to the policy file';

/** `score`: a prompt scorer file (kind `prompt`), read and checked now, so that validate says file:line. */
function compileScore(file: string, threshold: number | undefined, path: (string | number)[], files: PolicyFiles): Matcher {
  const got = files.read(file);
  if (!got.ok) throw new MatcherCompileError(`cannot read scorer ${JSON.stringify(file)}: ${got.message}`, path, SCORER_HINT);
  if (!files.parseScorer) throw new Error('a policy with score matchers needs files.parseScorer');
  let scorer: Scorer;
  try {
    scorer = files.parseScorer(got.json);
  } catch (err) {
    throw new MatcherCompileError(`${file}: ${(err as Error).message}`, path, SCORER_HINT);
  }
  if (scorer.kind !== 'prompt') throw new MatcherCompileError(`${file}: a cascade scorer needs an answer (its kind is "cascade"; a class needs kind "prompt")`, path, 'use it as the `score` check of a cascade instead');
  return { kind: 'score', file, scorer, threshold: threshold ?? scorer.threshold };
}

function promptScore(m: Extract<Matcher, { kind: 'score' }>, s: MatchSubject): number {
  // A bug, not a user mistake: every subject built for routing carries its prompt.
  if (!s.prompt) throw new Error(`score ${m.file}: the match subject carries no prompt`);
  return m.scorer.score(s.prompt);
}

const formatKey = (path: (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1);

function similarHit(m: SimilarMatcher, s: MatchSubject): SimilarHit {
  const hit = s.similar?.get(m.key);
  // A bug, not a user mistake: the features step must run before matching.
  if (!hit) throw new Error(`${m.key}: no similarity computed for this prompt (run computeFeatures before matching)`);
  return hit;
}

function fieldAt(fields: Readonly<Record<string, unknown>>, path: string[]): unknown {
  let value: unknown = fields;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Fast path for batches: a boolean, no explanation. */
export function matches(m: Matcher, s: MatchSubject): boolean {
  switch (m.kind) {
    case 'regex':
      return m.re.test(s.text);
    case 'keywords':
      return m.re.test(s.text, s.ascii);
    case 'min_tokens':
      return s.maxTokensBound >= m.n && s.tokens() >= m.n;
    case 'max_tokens':
      return s.maxTokensBound <= m.n || s.tokens() <= m.n;
    case 'field': {
      const actual = fieldAt(s.fields, m.path);
      return m.values.some((v) => v === actual);
    }
    case 'all':
      return m.of.every((x) => matches(x, s));
    case 'any':
      return m.of.some((x) => matches(x, s));
    case 'not':
      return !matches(m.of, s);
    case 'similar':
      return similarHit(m, s).score >= m.threshold;
    case 'score':
      return promptScore(m, s) >= m.threshold;
    default: {
      const never: never = m;
      return never;
    }
  }
}

export interface Verdict {
  ok: boolean;
  why: string;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);

/** The same decision as `matches`, with the reason in words (for `explain` and the run's reason). */
export function explainMatch(m: Matcher, s: MatchSubject): Verdict {
  switch (m.kind) {
    case 'regex': {
      const hit = m.re.find(s.text);
      return hit !== undefined
        ? { ok: true, why: `regex ${m.source} matched ${quote(hit)}` }
        : { ok: false, why: `regex ${m.source} did not match` };
    }
    case 'keywords': {
      const hit = m.re.exec(s.text, s.ascii);
      return hit
        ? { ok: true, why: `keyword ${quote(hit[0].toLowerCase())}` }
        : { ok: false, why: `none of the keywords [${m.words.join(', ')}]` };
    }
    case 'min_tokens': {
      const ok = matches(m, s);
      return { ok, why: `${s.tokens()} prompt tokens ${ok ? '>=' : '<'} ${m.n}` };
    }
    case 'max_tokens': {
      const ok = matches(m, s);
      return { ok, why: `${s.tokens()} prompt tokens ${ok ? '<=' : '>'} ${m.n}` };
    }
    case 'field': {
      const actual = fieldAt(s.fields, m.path);
      const ok = m.values.some((v) => v === actual);
      const want = m.values.map((v) => JSON.stringify(v)).join(' or ');
      return { ok, why: `field ${m.key} is ${actual === undefined ? 'absent' : JSON.stringify(actual)}${ok ? '' : `, not ${want}`}` };
    }
    case 'all': {
      const reasons: string[] = [];
      for (const x of m.of) {
        const v = explainMatch(x, s);
        if (!v.ok) return { ok: false, why: v.why };
        reasons.push(v.why);
      }
      return { ok: true, why: reasons.join(' and ') };
    }
    case 'any': {
      const reasons: string[] = [];
      for (const x of m.of) {
        const v = explainMatch(x, s);
        if (v.ok) return v;
        reasons.push(v.why);
      }
      return { ok: false, why: reasons.join(' and ') };
    }
    case 'not': {
      const v = explainMatch(m.of, s);
      return { ok: !v.ok, why: v.ok ? `excluded: ${v.why}` : `not (${v.why})` };
    }
    case 'similar': {
      const hit = similarHit(m, s);
      const ok = hit.score >= m.threshold;
      return { ok, why: `similar to ${quote(m.examples[hit.example]!)} ${hit.score.toFixed(3)} ${ok ? '>=' : '<'} ${m.threshold}` };
    }
    case 'score': {
      const score = promptScore(m, s);
      const ok = score >= m.threshold;
      return { ok, why: `score ${score.toFixed(3)} ${ok ? '>=' : '<'} ${m.threshold} (${m.file})` };
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}

/** A matcher written back in short form, for `frugal validate`. */
export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'regex':
      return `regex ${m.source}`;
    case 'keywords':
      return `keywords [${m.words.join(', ')}]`;
    case 'min_tokens':
      return `>= ${m.n} tokens`;
    case 'max_tokens':
      return `<= ${m.n} tokens`;
    case 'field':
      return `field ${m.key} = ${m.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'all':
      return `all(${m.of.map(describeMatcher).join('; ')})`;
    case 'any':
      return `any(${m.of.map(describeMatcher).join('; ')})`;
    case 'not':
      return `not(${describeMatcher(m.of)})`;
    case 'similar':
      return `similar_to ${m.examples.length} example${m.examples.length === 1 ? '' : 's'}${m.examplesFile ? ` (${m.examplesFile})` : ''} >= ${m.threshold}`;
    case 'score':
      return `score ${m.file} >= ${m.threshold}`;
    default: {
      const never: never = m;
      return never;
    }
  }
}
