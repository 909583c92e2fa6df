import Table from 'cli-table3';
import { TABLE_STYLE } from './table-style.js';
import { describeMatcher } from '../core/routing/matchers.js';
import { describeCheck } from '../core/routing/checks/evaluate.js';
import type { ModelConfig, Policy } from '../core/policy/types.js';
import { describeRate } from '../core/money/pricing.js';


export function priceSource(m: ModelConfig): string {
  const s = m.pricing.source;
  if (s.kind === 'override') return 'routes.yaml price';
  const id = `${s.providerId}/${s.catalogueId}`;
  return s.exact ? `catalogue ${id}` : `catalogue ${id} (closest match for "${m.model}")`;
}

/** Prices per million tokens for each model of the policy. */
export function modelsTable(policy: Policy): string {
  const table = new Table({
    head: ['alias', 'provider', 'model', 'input', 'output', 'cache read', 'cache write', 'price source'],
    ...TABLE_STYLE,
  });
  for (const m of policy.models.values()) {
    const r = m.pricing.rates;
    const roles = [m.alias === policy.baseline ? 'baseline' : '', m.alias === policy.default ? 'default' : ''].filter(Boolean);
    table.push([
      roles.length ? `${m.alias} (${roles.join(', ')})` : m.alias,
      m.provider,
      m.model,
      describeRate(r.input),
      describeRate(r.output),
      describeRate(r.cacheRead),
      describeRate(r.cacheWrite),
      priceSource(m),
    ]);
  }
  return `${table.toString()}\nprices in USD per million tokens; "a / b >N" means b applies to requests with more than N input tokens`;
}

/** What `frugal validate` prints: the policy as frugal resolved it. */
export function policyReport(policy: Policy, origin: string): string {
  const lines = [`${policy.file}: ok (${origin})`, ''];
  lines.push(`baseline:  ${policy.baseline}${policy.baselineImplied ? ' (not set: the model with the highest output price)' : ''}`);
  lines.push(`default:   ${policy.default}`);
  lines.push(`tokenizer: ${policy.tokenizer === 'o200k' ? 'o200k (exact for OpenAI models)' : 'estimate (set `tokenizer: o200k` for exact OpenAI counts)'}`);
  if (policy.budget.maxSpendUsd !== undefined) lines.push(`budget:    $${policy.budget.maxSpendUsd} per run`);
  for (const [alias, cap] of policy.budget.perModelUsd) lines.push(`           ${alias}: at most $${cap} per run`);
  lines.push('', 'models:', modelsTable(policy), '', 'classes, in order (the first match wins):');
  policy.classes.forEach((c, i) => lines.push(`  ${i + 1}. ${c.name} -> ${c.route}: ${describeMatcher(c.when)}`));
  lines.push(`  otherwise -> ${policy.default}`);
  if (policy.cascades.size > 0) {
    lines.push('', 'cascades (the first accepted answer is kept; the last step always answers):');
    for (const c of policy.cascades.values()) lines.push(`  ${c.name}: ${c.try.join(' -> ')}; accept when ${describeCheck(c.accept)}`);
  }
  return lines.join('\n');
}
