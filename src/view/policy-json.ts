import type { PolicyError } from '../core/errors.js';
import type { Rate } from '../core/money/pricing.js';
import type { Policy } from '../core/policy/types.js';
import { describeMatcher } from '../core/routing/matchers.js';
import { priceSource } from './policy-report.js';

/** USD per million tokens; tiers apply to requests with more than `above` input tokens. */
function rateJson(rate: Rate | undefined): { usd_per_mtok: number; tiers: { above: number; usd_per_mtok: number }[] } | null {
  if (!rate) return null;
  return { usd_per_mtok: rate.base / 1e6, tiers: rate.tiers.map((t) => ({ above: t.start, usd_per_mtok: t.rate / 1e6 })) };
}

/** `frugal models --json`: each model as frugal resolved it. */
export function modelsJson(policy: Policy): unknown[] {
  return [...policy.models.values()].map((m) => ({
    alias: m.alias,
    provider: m.provider,
    model: m.model,
    base_url: m.baseUrl ?? null,
    api_key_env: m.apiKeyEnv ?? null,
    api: m.api ?? null,
    max_tokens: m.maxTokens ?? null,
    fallback: m.fallback ?? null,
    options: m.options ?? {},
    baseline: m.alias === policy.baseline,
    default: m.alias === policy.default,
    prices: { input: rateJson(m.pricing.rates.input), output: rateJson(m.pricing.rates.output), cache_read: rateJson(m.pricing.rates.cacheRead), cache_write: rateJson(m.pricing.rates.cacheWrite) },
    price_source: m.pricing.source.kind === 'override' ? { kind: 'override' } : { kind: 'catalogue', provider: m.pricing.source.providerId, id: m.pricing.source.catalogueId, exact: m.pricing.source.exact },
    price_source_text: priceSource(m),
  }));
}

/** `frugal validate --json` on a valid policy. */
export function policyJson(policy: Policy, origin: string): unknown {
  return {
    ok: true,
    file: policy.file,
    origin,
    baseline: policy.baseline,
    baseline_implied: policy.baselineImplied,
    default: policy.default,
    tokenizer: policy.tokenizer,
    budget: { max_spend_usd: policy.budget.maxSpendUsd ?? null, per_model_usd: Object.fromEntries(policy.budget.perModelUsd) },
    models: modelsJson(policy),
    classes: policy.classes.map((c) => ({ name: c.name, route: c.route, when: describeMatcher(c.when), description: c.description ?? null, schema: c.schema ?? null })),
  };
}

/** `frugal validate --json` on an invalid policy: every problem with its line. */
export function problemsJson(err: PolicyError): unknown {
  return { ok: false, file: err.file, problems: err.problems.map((p) => ({ line: p.line ?? null, path: p.path, message: p.message, hint: p.hint ?? null })) };
}
