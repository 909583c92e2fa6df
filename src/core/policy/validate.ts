import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { PolicyError, formatPath, type PolicyProblem } from '../errors.js';
import { compileMatcher, MatcherCompileError } from '../routing/matchers.js';
import { REGEX_HINT } from '../routing/safe-regex.js';
import { PolicySchema, exampleFor, keysAt, type PolicyInput } from './schema.js';
import { batchRates } from '../money/batch-price.js';
import { overridePricing, PriceError, type ModelPricing } from '../money/pricing.js';
import { didYouMean } from './suggest.js';
import type { PolicySnapshot } from './build.js';
import { checkSimilar, checkTests, readExamples } from './similar-checks.js';
import { CheckCompileError, compileCheck, NO_FILES, type PolicyFiles } from '../routing/checks/compile.js';
import { apiOf, checkOption, isOptionKey, OPTION_KEYS } from './resolve-options.js';
import { OPTIONS_BY_API } from './options.js';
import { compileJsonSchema } from '../quality/json-schema.js';

/** A model's prices from the price catalogue, resolved for `at`; undefined when it has none. */
export type CatalogueLookup = (provider: string, model: string, at: Date) => ModelPricing | undefined;

export interface LoadOptions {
  /** Prices that change over time are resolved for this moment. */
  now: Date;
  /** The price catalogue (core/money/catalogue.ts, or a cache of its answers): passed in, so that validating does not load it. */
  catalogue: CatalogueLookup;
  /** Reads a file the policy names (examples_file), relative to the policy's folder; throws when it cannot. */
  readFile?: ((name: string) => string) | undefined;
  /** The files checks name (json_schema, score), relative to the policy. */
  files?: PolicyFiles | undefined;
}

const YAML_OPTIONS = { schema: 'core', uniqueKeys: true, maxAliasCount: 100, prettyErrors: false } as const;

/** Parse, validate and price routes.yaml text, as a JSON-safe snapshot (see policy-build.ts). */
export function validatePolicy(text: string, file: string, options: LoadOptions): PolicySnapshot {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      doc.errors.map((e) => {
        const duplicate = e.code === 'DUPLICATE_KEY';
        const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return {
          line: lineAt(e.pos[0]),
          path: duplicate ? formatPath(pathToKeyAt(doc.contents, e.pos[0]) ?? []) : '',
          message: duplicate ? 'duplicate key: each key may appear once in a mapping' : message,
          hint: duplicate ? 'remove or rename one of the two' : 'check the indentation and quoting on this line',
        };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new PolicyError(file, [{ path: '', message: (err as Error).message, hint: 'avoid YAML aliases that expand too far' }]);
  }
  const where = (path: readonly PropertyKey[], key?: string) => lineAt(nodeOffset(doc, path, key));
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) {
    // A condition with only a misspelt key is also "empty"; the unknown key says it better.
    const misspelt = new Set(parsed.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
    const issues = parsed.error.issues.filter((i) => !(i.code === 'custom' && misspelt.has(formatPath(i.path))));
    throw new PolicyError(file, issues.flatMap((i) => describeIssue(i, raw, where)));
  }
  return resolve(parsed.data, file, options, where);
}

function nodeOffset(doc: Document, path: readonly PropertyKey[], key?: string): number | undefined {
  const findPair = (map: unknown, k: PropertyKey) =>
    isMap(map) ? map.items.find((p) => (p.key as { value?: unknown } | null)?.value === k) : undefined;
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const step of path) {
    if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else {
      const pair = findPair(node, step);
      if (!pair) return offset;
      node = pair.value ?? pair.key;
    }
    offset = (node as Node | null)?.range?.[0] ?? offset;
  }
  if (key !== undefined) {
    const pair = findPair(node, key);
    if (pair) offset = (pair.key as Node).range?.[0] ?? offset;
  }
  return offset;
}

/** The key path of the mapping key that starts at `offset` (where the YAML parser reports a duplicate). */
function pathToKeyAt(node: unknown, offset: number, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = (key as { value?: unknown } | null)?.value;
      const here = [...path, typeof name === 'number' ? String(name) : (name as PropertyKey)];
      if (key?.range?.[0] === offset) return here;
      const found = pathToKeyAt(pair.value, offset, here);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = pathToKeyAt(item, offset, [...path, i]);
      if (found) return found;
    }
  }
  return undefined;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

type Where = (path: readonly PropertyKey[], key?: string) => number | undefined;

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, where: Where): PolicyProblem[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const allowed = keysAt(path);
        return {
          line: where(path, key),
          path: formatPath([...path, key]),
          message: `unknown key${didYouMean(key, allowed)}`,
          hint: allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined,
        };
      });
    case 'invalid_key': {
      const parent = path.slice(0, -1);
      const key = String(path[path.length - 1]);
      const inner = issue.issues[0]?.message ?? issue.message;
      return [{ line: where(parent, key), path: formatPath(path), message: `bad name ${JSON.stringify(key)}: ${inner}`, hint: 'rename it, e.g. `fast-model`' }];
    }
    case 'too_small': {
      const got = valueAt(raw, path);
      const message =
        issue.origin === 'array' ? `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`
        : issue.origin === 'string' ? 'must not be empty'
        : `must be ${issue.inclusive ? `${issue.minimum} or more` : `more than ${issue.minimum}`}, got ${describeValue(got)}`;
      return [{ line: where(path), path: formatPath(path), message, hint: example(path) }];
    }
    case 'invalid_value': {
      const got = valueAt(raw, path);
      const options = issue.values.map(String);
      const suggestion = typeof got === 'string' ? didYouMean(got, options) : '';
      return [{ line: where(path), path: formatPath(path), message: `${JSON.stringify(got)} is not allowed${suggestion}`, hint: `use one of: ${options.join(', ')}` }];
    }
    case 'invalid_type': {
      const got = valueAt(raw, path);
      const message = got === undefined ? 'is required' : `expected ${issue.expected}, got ${describeValue(got)}`;
      const hint = path[path.length - 1] === 'default' ? 'name the model alias that answers prompts no class matches, e.g. `default: balanced`' : example(path);
      return [{ line: where(path), path: formatPath(path), message, hint }];
    }
    default:
      return [{ line: where(path), path: formatPath(path), message: issue.message, hint: example(path) }];
  }
}

function example(path: readonly PropertyKey[]): string | undefined {
  const e = exampleFor(path);
  return e === undefined ? undefined : `for example \`${e}\``;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Check what the schema cannot (aliases, regexes, prices) and resolve every model's prices. */
function resolve(input: PolicyInput, file: string, options: LoadOptions, where: Where): PolicySnapshot {
  const problems: PolicyProblem[] = [];
  const aliases = Object.keys(input.models);
  const checkAlias = (alias: string, path: PropertyKey[], what: string) => {
    if (input.models[alias]) return true;
    problems.push({
      line: where(path),
      path: formatPath(path),
      message: `unknown model "${alias}"${didYouMean(alias, aliases)}`,
      hint: `${what} must name one of the models: ${aliases.join(', ')}`,
    });
    return false;
  };

  const prices: [string, ModelPricing][] = [];
  for (const [alias, m] of Object.entries(input.models)) {
    const path = ['models', alias];
    let pricing: ModelPricing | undefined;
    try {
      const own = m.price?.input !== undefined && m.price.output !== undefined ? { ...m.price, input: m.price.input, output: m.price.output } : undefined;
      pricing = own ? overridePricing(own) : options.catalogue(m.provider, m.model, options.now);
      if (pricing) batchRates(m.provider, pricing.rates, m.price?.batch);
    } catch (err) {
      if (!(err instanceof PriceError)) throw err;
      const at = m.price ? [...path, 'price', err.what] : [...path, 'model'];
      problems.push({
        line: where(at),
        path: formatPath(at),
        message: m.price ? err.detail : err.message,
        hint: m.price
          ? 'prices are USD per million tokens, to at most 6 decimal places (e.g. `input: 0.075`)'
          : 'give this model its own `price: { input: ..., output: ... }` in USD per million tokens',
      });
      continue;
    }
    if (!pricing) {
      problems.push({
        line: where([...path, 'model']),
        path: formatPath([...path, 'model']),
        message: `no price known for ${m.provider} model "${m.model}"`,
        hint: `add its price in USD per million tokens under models.${alias}: \`price: { input: 0.5, output: 1.5 }\` (cache_read and cache_write optional)`,
      });
      continue;
    }
    if (m.batch && m.provider === 'openai-compatible') {
      problems.push({ line: where([...path, 'batch']), path: formatPath([...path, 'batch']), message: 'openai-compatible servers have no batch API', hint: 'batch: true works for openai and anthropic models' });
    }
    if (m.api && m.provider === 'anthropic') {
      problems.push({ line: where([...path, 'api']), path: formatPath([...path, 'api']), message: 'only OpenAI models choose an api', hint: 'remove `api:` from this model' });
    }
    if (m.fallback !== undefined) checkAlias(m.fallback, [...path, 'fallback'], 'fallback');
    if (m.options) m.options = checkModelOptions(alias, m, where, problems);
    prices.push([alias, pricing]);
  }

  const cascadeNames = Object.keys(input.cascades ?? {});
  const routes = [...aliases, ...cascadeNames];
  const checkRoute = (route: string, path: PropertyKey[], what: string) => {
    if (input.models[route] || input.cascades?.[route]) return;
    if (cascadeNames.length === 0) return void checkAlias(route, path, what);
    problems.push({
      line: where(path),
      path: formatPath(path),
      message: `unknown model or cascade "${route}"${didYouMean(route, routes)}`,
      hint: `${what} must name one of the models (${aliases.join(', ')}) or cascades (${cascadeNames.join(', ')})`,
    });
  };
  for (const [name, c] of Object.entries(input.cascades ?? {})) {
    const path = ['cascades', name];
    if (input.models[name]) {
      problems.push({ line: where(['cascades'], name), path: formatPath(path), message: `"${name}" is both a model and a cascade`, hint: 'routes name either; give the cascade another name' });
    }
    if (c.try.length < 2) {
      problems.push({ line: where([...path, 'try']), path: formatPath([...path, 'try']), message: `a cascade tries at least two models, got ${c.try.length}`, hint: 'for example `try: [quick, flagship]`; to use one model, route to it directly' });
    }
    const seen = new Set<string>();
    c.try.forEach((alias, i) => {
      const at = [...path, 'try', i];
      if (seen.has(alias)) problems.push({ line: where(at), path: formatPath(at), message: `"${alias}" is tried twice`, hint: 'the same model would give the same kind of answer again: list each model once' });
      seen.add(alias);
      checkAlias(alias, at, 'a cascade step');
    });
    try {
      compileCheck(c.accept, [...path, 'accept'], { models: aliases, files: options.files ?? NO_FILES });
    } catch (err) {
      if (!(err instanceof CheckCompileError)) throw err;
      problems.push({ line: where(err.path), path: formatPath(err.path), message: err.message, hint: err.hint });
    }
  }

  checkRoute(input.default, ['default'], 'default');
  if (input.baseline !== undefined) checkAlias(input.baseline, ['baseline'], 'baseline');

  const names = new Set<string>();
  (input.classes ?? []).forEach((c, i) => {
    const path = ['classes', i];
    if (names.has(c.name)) {
      problems.push({ line: where([...path, 'name']), path: formatPath([...path, 'name']), message: `class "${c.name}" is defined twice`, hint: 'class names must be unique' });
    }
    names.add(c.name);
    checkRoute(c.route, [...path, 'route'], 'route');
    readExamples(c.when, [...path, 'when'], options.readFile, where, problems);
    if (c.schema) {
      const compiled = compileJsonSchema(c.schema, c.name);
      if (!compiled.ok) problems.push({ line: where([...path, 'schema']), path: formatPath([...path, 'schema']), message: compiled.message, hint: 'write the JSON Schema in YAML, e.g. `schema: { type: object, properties: { answer: { type: string } }, required: [answer] }`' });
    }
    try {
      compileMatcher(c.when, [...path, 'when'], options.files ?? NO_FILES);
    } catch (err) {
      if (!(err instanceof MatcherCompileError)) throw err;
      problems.push({ line: where(err.path), path: formatPath(err.path), message: err.message, hint: err.hint ?? REGEX_HINT });
    }
  });

  for (const alias of Object.keys(input.budget?.per_model ?? {})) checkAlias(alias, ['budget', 'per_model', alias], 'budget.per_model');
  problems.push(...checkSimilar(input, where), ...checkTests(input, where));

  if (problems.length > 0) throw new PolicyError(file, problems);
  return { input, pricing: prices };
}

/** A model's `options:`: known keys, good values, and only what its API accepts. Returns them normalized. */
function checkModelOptions(alias: string, m: PolicyInput['models'][string], where: Where, problems: PolicyProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const accepted: readonly string[] = OPTIONS_BY_API[apiOf(m)];
  for (const [key, value] of Object.entries(m.options ?? {})) {
    const at = ['models', alias, 'options', key];
    const problem = (message: string, hint: string) => problems.push({ line: where(['models', alias, 'options'], key), path: formatPath(at), message, hint });
    if (!isOptionKey(key)) {
      problem(`unknown option${didYouMean(key, OPTION_KEYS)}`, `options: ${OPTION_KEYS.join(', ')}`);
      continue;
    }
    if (!accepted.includes(key)) {
      problem(`model ${alias}'s API (${apiOf(m)}) does not accept ${key}`, `it accepts: ${accepted.join(', ')}`);
      continue;
    }
    const checked = checkOption(key, value);
    if (!checked.ok) problem(`${key} ${checked.message}`, `for example \`options: { temperature: 0.2 }\``);
    else out[key] = checked.value;
  }
  return out;
}
