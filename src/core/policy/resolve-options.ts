import { didYouMean } from './suggest.js';
import type { ProviderKind } from './schema.js';
import type { ModelConfig, Policy } from './types.js';
import { OPTIONS_BY_API, type ApiKind, type ModelOptions, type OptionKey } from './options.js';

/** Every option key frugal knows, in a stable order. */
export const OPTION_KEYS: readonly OptionKey[] = ['temperature', 'top_p', 'top_k', 'seed', 'stop', 'reasoning_effort', 'service_tier'];

const EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;
const TIERS = ['auto', 'default', 'flex', 'priority'] as const;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const num = (min: number, max: number) => (v: unknown): Checked<number> =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? { ok: true, value: v } : { ok: false, message: `must be a number from ${min} to ${max}` };
const int = (min: number) => (v: unknown): Checked<number> =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? { ok: true, value: v } : { ok: false, message: `must be a whole number of ${min} or more` };
const oneOf = <T extends string>(values: readonly T[]) => (v: unknown): Checked<T> =>
  typeof v === 'string' && (values as readonly string[]).includes(v) ? { ok: true, value: v as T } : { ok: false, message: `must be one of: ${values.join(', ')}` };

/** How each option's value is checked: a table keyed by option, so a new key is a compile error until it has one. */
const CHECKS: { [K in OptionKey]-?: (v: unknown) => Checked<NonNullable<ModelOptions[K]>> } = {
  temperature: num(0, 2),
  top_p: num(0, 1),
  top_k: int(1),
  seed: int(0),
  stop: (v) => {
    if (typeof v === 'string' && v !== '') return { ok: true, value: [v] };
    if (Array.isArray(v) && v.length > 0 && v.length <= 4 && v.every((s) => typeof s === 'string' && s !== '')) return { ok: true, value: v as string[] };
    return { ok: false, message: 'must be a string or a list of 1 to 4 strings' };
  },
  reasoning_effort: oneOf(EFFORTS),
  service_tier: oneOf(TIERS),
};

export const isOptionKey = (key: string): key is OptionKey => Object.hasOwn(CHECKS, key);

/** Check one option's value; `key` must be an option key. */
export function checkOption(key: OptionKey, value: unknown): Checked<unknown> {
  return CHECKS[key](value);
}

/**
 * `--option KEY=VALUE` as typed on the command line: numbers and JSON lists are read as JSON,
 * anything else is a string (`--option stop=END`, `--option reasoning_effort=low`).
 */
export function parseOptionFlags(pairs: readonly string[]): Checked<ModelOptions> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) return { ok: false, message: `--option ${pair}: expected KEY=VALUE, e.g. --option temperature=0.2` };
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    if (!isOptionKey(key)) return { ok: false, message: `--option ${key}: unknown option${didYouMean(key, OPTION_KEYS)}; known options: ${OPTION_KEYS.join(', ')}` };
    let value: unknown = raw;
    if (/^\s*[-\d.[]/.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        // a bare word stays a string
      }
    }
    const checked = checkOption(key, value);
    if (!checked.ok) return { ok: false, message: `--option ${key}: ${checked.message}` };
    out[key] = checked.value;
  }
  return { ok: true, value: out as ModelOptions };
}

/** The option keys on a JSONL record, checked; `problems` names the bad ones. */
export function recordOptions(fields: Readonly<Record<string, unknown>>): Checked<ModelOptions> {
  const out: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    if (!Object.hasOwn(fields, key) || fields[key] === undefined) continue;
    const checked = checkOption(key, fields[key]);
    if (!checked.ok) return { ok: false, message: `"${key}" ${checked.message}` };
    out[key] = checked.value;
  }
  return { ok: true, value: out as ModelOptions };
}

// Keys other tools use for sampling and length settings; a record carrying one probably meant an option.
const OPTION_LIKE = /^(temp|top[_-]?[a-z]|seed|stop(_sequences)?|max_output_tokens|max_completion_tokens|frequency_penalty|presence_penalty|logit_bias|repetition_penalty|min_p|reasoning|effort|thinking|n|logprobs|response_format)$/i;

/** Record keys that look like model options frugal does not know (warned about once per run). */
export function optionLikeKeys(fields: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(fields).filter((k) => !isOptionKey(k) && OPTION_LIKE.test(k));
}

export interface OptionSources {
  /** The model's `options:` in routes.yaml. */
  model?: ModelOptions | undefined;
  /** `--option KEY=VALUE` flags. */
  flag?: ModelOptions | undefined;
  /** The JSONL record's own option keys. */
  record?: ModelOptions | undefined;
}

export type ResolvedOptions = { options: ModelOptions } | { error: string; hint: string };

/**
 * The options one request carries: record over flag over model. An option the model's API does not
 * accept is an error (nothing is sent), naming the option, the model and what its API accepts.
 */
export function resolveOptions(alias: string, api: ApiKind, sources: OptionSources): ResolvedOptions {
  const merged: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [name, opts] of [['routes.yaml', sources.model], ['--option', sources.flag], ['the record', sources.record]] as const) {
    for (const [k, v] of Object.entries(opts ?? {})) {
      if (v === undefined) continue;
      merged[k] = v;
      from[k] = name;
    }
  }
  const accepted = OPTIONS_BY_API[api];
  const refused = Object.keys(merged).filter((k) => !(accepted as readonly string[]).includes(k));
  if (refused.length > 0) {
    const k = refused[0]!;
    return {
      error: `option ${k} (from ${from[k]}) is not accepted by model ${alias}: its API (${API_NAMES[api]}) takes ${accepted.join(', ')}`,
      hint: `remove ${k}, or send these prompts to a model whose API takes it`,
    };
  }
  return { options: merged as ModelOptions };
}

const API_NAMES: Record<ApiKind, string> = { chat: 'Chat Completions', responses: 'OpenAI Responses', messages: 'Anthropic Messages' };

/** The wire API a model is sent through, by provider kind (OpenAI's `api:` picks between two). */
const API_OF: Record<ProviderKind, (m: Pick<ModelConfig, 'api'>) => ApiKind> = {
  openai: (m) => m.api ?? 'responses',
  anthropic: () => 'messages',
  'openai-compatible': () => 'chat',
};

export function apiOf(m: Pick<ModelConfig, 'provider' | 'api'>): ApiKind {
  return API_OF[m.provider](m);
}

/** The models a run can send to: the forced one, else every route, the default and their fallbacks. */
export function reachableModels(policy: Pick<Policy, 'models' | 'classes' | 'default'>, forced?: string): string[] {
  const out = new Set<string>();
  const add = (alias: string | undefined) => {
    for (let a = alias; a !== undefined && !out.has(a); a = policy.models.get(a)?.fallback) out.add(a);
  };
  if (forced !== undefined) add(forced);
  else {
    for (const c of policy.classes) add(c.route);
    add(policy.default);
  }
  return [...out];
}

/**
 * `--option` flags against every model the run can send to, before anything is sent: the first
 * model whose API refuses one of them, or undefined when all accept them.
 */
export function checkFlagOptions(policy: Pick<Policy, 'models' | 'classes' | 'default'>, flag: ModelOptions, forced?: string): { error: string; hint: string } | undefined {
  if (Object.keys(flag).length === 0) return undefined;
  for (const alias of reachableModels(policy, forced)) {
    const m = policy.models.get(alias)!;
    const r = resolveOptions(alias, apiOf(m), { flag });
    if ('error' in r) return { error: r.error, hint: forced === undefined ? `${r.hint}; the options apply to every model this policy routes to (use -m ALIAS to send to one model)` : r.hint };
  }
  return undefined;
}
