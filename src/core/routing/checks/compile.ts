import { formatPath } from '../../errors.js';
import { didYouMean } from '../../policy/suggest.js';
import type { Scorer } from '../../quality/scorer.js';
import { compileSafeRegex, REGEX_HINT, RegexSyntaxError, validatedSafeRegex } from '../safe-regex.js';
import { DEFAULT_JUDGE_PROMPT, DEFAULT_VERDICT } from './judge.js';
import type { CheckInput } from './schema.js';
import type { Check, SchemaValidator } from './types.js';

/** The files checks name (json_schema, score), as the policy loader reads them: JSON, parsed. */
export interface PolicyFiles {
  read(file: string): { ok: true; json: unknown } | { ok: false; message: string };
  /** Compiles a JSON Schema (Ajv, which the loader imports only for policies that use json_schema). */
  compileSchema?: ((schema: unknown) => SchemaValidator) | undefined;
  /** Reads a scorer file (quality/scorer.ts's parseScorer, imported only for policies with score checks). */
  parseScorer?: ((json: unknown) => Scorer) | undefined;
}

/** For policies read from no directory: no file can be read. */
export const NO_FILES: PolicyFiles = { read: () => ({ ok: false, message: 'no policy directory to read it from' }) };

export interface CheckEnv {
  /** The policy's model aliases, for judges. */
  models: string[];
  files: PolicyFiles;
  /** The whole policy validated before, so its regexes compile: RE2 compiles them on first use. */
  validated?: boolean;
}

export class CheckCompileError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
    readonly hint: string,
  ) {
    super(message);
  }
}

type Path = (string | number)[];

function regex(source: string, path: Path, env: CheckEnv) {
  try {
    return env.validated ? validatedSafeRegex(source) : compileSafeRegex(source);
  } catch (err) {
    if (!(err instanceof RegexSyntaxError)) throw err;
    throw new CheckCompileError(`regex does not compile: ${err.message}`, path, REGEX_HINT);
  }
}

function read(env: CheckEnv, file: string, path: Path, what: string) {
  const got = env.files.read(file);
  if (!got.ok) throw new CheckCompileError(`cannot read ${what} ${JSON.stringify(file)}: ${got.message}`, path, 'paths are relative to the policy file');
  return got.json;
}

/** Compile a validated check tree. A mapping with several keys means all of them. */
export function compileCheck(input: CheckInput, path: Path, env: CheckEnv): Check {
  const id = formatPath(path);
  const at = (key: string | number, ...more: Path) => ({ id: formatPath([...path, key, ...more]), path: [...path, key, ...more] });
  const parts: Check[] = [];
  if (input.regex !== undefined) parts.push({ id: at('regex').id, kind: 'regex', re: regex(input.regex, at('regex').path, env) });
  if (input.contains !== undefined) parts.push({ id: at('contains').id, kind: 'contains', text: input.contains });
  if (input.min_answer_tokens !== undefined) parts.push({ id: at('min_answer_tokens').id, kind: 'min_answer_tokens', n: input.min_answer_tokens });
  if (input.max_answer_tokens !== undefined) parts.push({ id: at('max_answer_tokens').id, kind: 'max_answer_tokens', n: input.max_answer_tokens });
  if (input.finish_reason !== undefined) {
    const reasons = Array.isArray(input.finish_reason) ? input.finish_reason : [input.finish_reason];
    parts.push({ id: at('finish_reason').id, kind: 'finish_reason', reasons });
  }
  if (input.refusal !== undefined) parts.push({ id: at('refusal').id, kind: 'refusal', refuses: input.refusal });
  if (input.json_schema !== undefined) {
    const { id: jid, path: jpath } = at('json_schema');
    const json = read(env, input.json_schema, jpath, 'JSON Schema');
    const compileSchema = env.files.compileSchema;
    if (!compileSchema) throw new Error('a policy with json_schema checks needs files.compileSchema');
    let validate: SchemaValidator;
    try {
      validate = compileSchema(json);
    } catch (err) {
      throw new CheckCompileError(`${input.json_schema}: ${(err as Error).message}`, jpath, 'see https://json-schema.org for the format; draft-07 and 2020-12 are understood');
    }
    parts.push({ id: jid, kind: 'json', schema: { file: input.json_schema, validate } });
  } else if (input.json !== undefined) parts.push({ id: at('json').id, kind: 'json' });
  if (input.number !== undefined) parts.push({ id: at('number').id, kind: 'number', integer: input.number !== true && input.number.integer === true });
  if (input.arithmetic !== undefined) parts.push({ id: at('arithmetic').id, kind: 'arithmetic' });
  if (input.check !== undefined) {
    const cid = at('check').id;
    const named: Record<NonNullable<CheckInput['check']>, Check> = {
      arithmetic: { id: cid, kind: 'arithmetic' },
      json: { id: cid, kind: 'json' },
      number: { id: cid, kind: 'number', integer: false },
      integer: { id: cid, kind: 'number', integer: true },
      not_refusal: { id: cid, kind: 'refusal', refuses: false },
    };
    parts.push(named[input.check]);
  }
  if (input.judge !== undefined) {
    const j = input.judge;
    if (!env.models.includes(j.model)) {
      throw new CheckCompileError(`unknown model "${j.model}"${didYouMean(j.model, env.models)}`, at('judge', 'model').path, `a judge must name one of the models: ${env.models.join(', ')}`);
    }
    const template = j.prompt ?? DEFAULT_JUDGE_PROMPT;
    if (!template.includes('{answer}')) throw new CheckCompileError('the judge prompt never shows the answer', at('judge', 'prompt').path, 'write {answer} (and {question}) where they go in the prompt');
    parts.push({ id: at('judge').id, kind: 'judge', model: j.model, template, verdict: regex(j.verdict ?? DEFAULT_VERDICT, at('judge', 'verdict').path, env) });
  }
  if (input.score !== undefined) {
    const { id: sid, path: spath } = at('score');
    const file = input.score.file;
    const json = read(env, file, [...spath, 'file'], 'scorer');
    const parseScorer = env.files.parseScorer;
    if (!parseScorer) throw new Error('a policy with score checks needs files.parseScorer');
    const fail = (message: string) => new CheckCompileError(`${file}: ${message}`, [...spath, 'file'], '`frugal train` writes scorer files; see the README for the frugal-scorer-1 format');
    let scorer: Scorer;
    try {
      scorer = parseScorer(json);
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (scorer.kind !== 'cascade') throw fail('a prompt scorer cannot judge answers (its kind is "prompt"; a cascade needs kind "cascade")');
    parts.push({ id: sid, kind: 'score', file, scorer, threshold: input.score.threshold ?? scorer.threshold });
  }
  if (input.all !== undefined) parts.push({ id: at('all').id, kind: 'all', of: input.all.map((c, i) => compileCheck(c, [...path, 'all', i], env)) });
  if (input.any !== undefined) parts.push({ id: at('any').id, kind: 'any', of: input.any.map((c, i) => compileCheck(c, [...path, 'any', i], env)) });
  if (input.not !== undefined) parts.push({ id: at('not').id, kind: 'not', of: compileCheck(input.not, [...path, 'not'], env) });
  return parts.length === 1 ? parts[0]! : { id, kind: 'all', of: parts };
}
