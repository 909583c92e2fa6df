import { batchRates } from '../money/batch-price.js';
import { compileMatcher, type Matcher } from '../routing/matchers.js';
import type { KnownPrefilters } from '../routing/safe-regex.js';
import type { Prefilter } from '../routing/regex-prefilter.js';
import type { ClassRule, ModelConfig, Policy } from './types.js';
import type { PolicyInput } from './schema.js';
import type { ModelPricing } from '../money/pricing.js';
import type { ModelOptions } from './options.js';
import { compileCheck, NO_FILES, type PolicyFiles } from '../routing/checks/compile.js';
import type { Cascade } from '../routing/cascade.js';

/**
 * A validated policy in plain JSON: the checked routes.yaml and each model's resolved prices.
 * It is what the policy cache stores, so that a one-shot run can skip YAML, the schema
 * validator and the price catalogue when routes.yaml has not changed.
 */
export interface PolicySnapshot {
  input: PolicyInput;
  pricing: [string, ModelPricing][];
  /** The literal prefilters of the classes' regexes (regexPrefilters), kept so a one-shot does not work them out again. */
  prefilters?: KnownPrefilters;
}

/**
 * Build the Policy from a snapshot that has already been validated. `files` gives the files its
 * checks name (JSON Schemas, scorers), read afresh each time: they are not part of the snapshot.
 */
export function buildPolicy(snapshot: PolicySnapshot, file: string, files: PolicyFiles = NO_FILES): Policy {
  const { input } = snapshot;
  const prices = new Map(snapshot.pricing);
  const models = new Map<string, ModelConfig>();
  for (const [alias, m] of Object.entries(input.models)) {
    models.set(alias, {
      alias,
      provider: m.provider,
      model: m.model,
      baseUrl: m.base_url,
      apiKeyEnv: m.api_key_env,
      api: m.api,
      maxTokens: m.max_tokens,
      fallback: m.fallback,
      options: m.options as ModelOptions | undefined,
      pricing: prices.get(alias)!,
      batch: m.batch,
      batchRates: batchRates(m.provider, prices.get(alias)!.rates, m.price?.batch),
    });
  }
  const classes: ClassRule[] = (input.classes ?? []).map((c, i) => ({
    name: c.name,
    description: c.description,
    route: c.route,
    when: compileMatcher(c.when, ['classes', i, 'when'], files, snapshot.prefilters ?? {}),
    schema: c.schema,
  }));
  const cascades = new Map<string, Cascade>();
  for (const [name, c] of Object.entries(input.cascades ?? {})) {
    cascades.set(name, { name, try: c.try, accept: compileCheck(c.accept, ['cascades', name, 'accept'], { models: [...models.keys()], files, validated: true }), spec: c.accept });
  }
  // No baseline named: compare against the model with the highest output price.
  const baseline = input.baseline ?? [...models.values()].sort((a, b) => b.pricing.rates.output.base - a.pricing.rates.output.base)[0]!.alias;
  return {
    file,
    baseline,
    baselineImplied: input.baseline === undefined,
    default: input.default,
    tokenizer: input.tokenizer ?? 'estimate',
    models,
    classes,
    embedder: input.embedder ?? 'builtin',
    tests: input.tests ?? [],
    testsFile: input.tests_file,
    cascades,
    budget: { maxSpendUsd: input.budget?.max_spend, perModelUsd: new Map(Object.entries(input.budget?.per_model ?? {})) },
  };
}

/** The prefilters of the regexes in the policy's class conditions, worked out now, by regex source. */
export function regexPrefilters(policy: Policy): Record<string, Prefilter | null> {
  const out: Record<string, Prefilter | null> = {};
  const walk = (m: Matcher): void => {
    if (m.kind === 'regex') out[m.source] = m.re.prefilter;
    else if (m.kind === 'all' || m.kind === 'any') m.of.forEach(walk);
    else if (m.kind === 'not') walk(m.of);
  };
  for (const c of policy.classes) walk(c.when);
  return out;
}
